// Streaming line reader for rollout files, pure: works on the byte chunks read.ts reads (gunzipped
// for .gz), tracks the byte offset and number of every line, and never holds more than one
// bounded line in memory: a line longer than its limit keeps only its head (enough to see what it
// was) while the rest of it streams past. An unterminated last line is not consumed; `end()` reports
// it so the caller can resume at its offset once the writer has finished it.
import { isUtf8 } from 'node:buffer';

export interface RawLine {
  lineNo: number; // 1-based physical line number in the (decompressed) stream
  offset: number; // byte offset of the first byte of the line
  bytes: number; // length of the line in bytes, without its '\n' (a trailing '\r' is included)
  text?: string; // the whole line, when it was kept whole
  head?: string; // the first bytes of the line, when it was longer than its limit
  oversized: boolean; // true when only `head` was kept
  binary: boolean; // NUL bytes or invalid UTF-8 in the kept bytes
  // The line's bytes, not yet decoded (a lazy splitter): the parser decodes text and binary from
  // them only when it needs the line, so a usage-only read never turns a skipped line into a string.
  // Valid only while the chunk it came from is being processed.
  buf?: Buffer;
}

export interface SplitterOptions {
  startOffset?: number; // byte offset of the first chunk pushed (when resuming)
  startLine?: number; // number of lines before startOffset
  maxLineBytes?: number; // lines up to this size are kept whole (default 16 MiB)
  headBytes?: number; // bytes kept of a line over its limit (default 64 KiB)
  sniffBytes?: number; // once a line reaches this size, `limitFor` picks its limit (default 4 KiB)
  // Limit for one line, decided from its first bytes. Lets the caller trim line types it does not
  // need (compacted history, world state, huge tool output) long before maxLineBytes.
  limitFor?: (head: Buffer) => number;
  // Hand whole in-chunk lines over as bytes (RawLine.buf) instead of decoded text.
  lazy?: boolean;
}

export interface SplitterTail {
  offset: number; // byte offset just after the last complete line (where a later read resumes)
  lines: number; // complete lines seen, including startLine
  partialBytes: number; // bytes of an unterminated last line (0 if the stream ended on '\n')
  partial?: RawLine; // that unterminated line, with the same keep/trim rules as complete lines
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_HEAD_BYTES = 64 * 1024;
const DEFAULT_SNIFF_BYTES = 4 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private kept = 0; // bytes held in parts
  private lineBytes = 0; // bytes of the current line seen so far
  private lineStart: number;
  private pos: number;
  private lineNo: number;
  private limit: number;
  private sniffed = false;
  private overflow = false;
  private readonly maxLineBytes: number;
  private readonly headBytes: number;
  private readonly sniffBytes: number;
  private readonly limitFor?: (head: Buffer) => number;
  private readonly lazy: boolean;

  constructor(opts: SplitterOptions = {}) {
    this.pos = this.lineStart = opts.startOffset ?? 0;
    this.lineNo = opts.startLine ?? 0;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.headBytes = Math.min(opts.headBytes ?? DEFAULT_HEAD_BYTES, this.maxLineBytes);
    this.sniffBytes = Math.min(opts.sniffBytes ?? DEFAULT_SNIFF_BYTES, this.headBytes);
    this.limitFor = opts.limitFor;
    this.lazy = opts.lazy === true;
    this.limit = this.maxLineBytes;
  }

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = [];
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(0x0a, i);
      if (nl >= 0 && this.lineBytes === 0) {
        // Fast path: a whole line inside this chunk is decoded in place, without copying it.
        const direct = this.directLine(chunk, i, nl);
        if (direct) {
          out.push(direct);
          i = nl + 1;
          continue;
        }
      }
      const end = nl < 0 ? chunk.length : nl;
      if (end > i) this.append(chunk.subarray(i, end));
      this.pos += end - i;
      if (nl < 0) break;
      this.pos += 1; // the '\n'
      out.push(this.finishLine());
      i = nl + 1;
    }
    return out;
  }

  /** Call when the stream ended. Does not consume an unterminated last line. */
  end(): SplitterTail {
    const tail: SplitterTail = { offset: this.lineStart, lines: this.lineNo, partialBytes: this.lineBytes };
    if (this.lineBytes > 0) {
      const offset = this.lineStart;
      tail.partial = this.buildLine(offset, this.lineNo + 1);
    }
    return tail;
  }

  private append(seg: Buffer): void {
    this.lineBytes += seg.length;
    if (this.overflow) return;
    // Copy: a subarray would pin the whole read chunk for as long as the line is open.
    this.parts.push(Buffer.from(seg));
    this.kept += seg.length;
    if (!this.sniffed && this.kept >= this.sniffBytes) {
      this.sniffed = true;
      if (this.limitFor) {
        const l = this.limitFor(this.joined());
        if (Number.isFinite(l) && l >= 0) this.limit = Math.min(this.maxLineBytes, Math.max(l, this.headBytes));
      }
    }
    if (this.kept > this.limit) {
      const head = Buffer.from(this.joined().subarray(0, this.headBytes));
      this.parts = [head];
      this.kept = head.length;
      this.overflow = true;
    }
  }

  private joined(): Buffer {
    if (this.parts.length !== 1) this.parts = [Buffer.concat(this.parts, this.kept)];
    return this.parts[0] ?? Buffer.alloc(0);
  }

  private buildLine(offset: number, lineNo: number): RawLine {
    const buf = this.kept ? this.joined() : Buffer.alloc(0);
    const binary = buf.includes(0) || !isUtf8(this.overflow ? trimBrokenUtf8Tail(buf) : buf);
    if (this.overflow)
      return { lineNo, offset, bytes: this.lineBytes, head: buf.toString('utf8'), oversized: true, binary };
    return { lineNo, offset, bytes: this.lineBytes, text: buf.toString('utf8'), oversized: false, binary };
  }

  /** A line that lies whole in `chunk` [start, nl) and fits its limit, or undefined (the slow path handles it). */
  private directLine(chunk: Buffer, start: number, nl: number): RawLine | undefined {
    const len = nl - start;
    // Every limit is at least headBytes (see below), so a shorter line needs no sniff: limitFor
    // decoded the first 4 KiB of every longer line, ~3 % of a usage-only read of long sessions.
    if (len > this.headBytes) {
      let limit = this.maxLineBytes;
      if (this.limitFor) {
        const l = this.limitFor(chunk.subarray(start, start + this.sniffBytes));
        if (Number.isFinite(l) && l >= 0) limit = Math.min(this.maxLineBytes, Math.max(l, this.headBytes));
      }
      if (len > limit) return undefined;
    }
    const buf = chunk.subarray(start, nl);
    this.lineNo += 1;
    const line: RawLine = this.lazy
      ? {
          lineNo: this.lineNo,
          offset: this.lineStart,
          bytes: len,
          text: undefined,
          oversized: false,
          binary: false,
          buf,
        }
      : {
          lineNo: this.lineNo,
          offset: this.lineStart,
          bytes: len,
          text: buf.toString('utf8'),
          oversized: false,
          binary: buf.includes(0) || !isUtf8(buf),
        };
    this.pos += len + 1;
    this.lineStart = this.pos;
    return line;
  }

  private finishLine(): RawLine {
    this.lineNo += 1;
    const line = this.buildLine(this.lineStart, this.lineNo);
    this.parts = [];
    this.kept = 0;
    this.lineBytes = 0;
    this.sniffed = false;
    this.overflow = false;
    this.limit = this.maxLineBytes;
    this.lineStart = this.pos;
    return line;
  }
}

/** Fills in text and binary of a lazy line (RawLine.buf) and lets go of its bytes. */
export function decodeLazyLine(raw: RawLine): void {
  const buf = raw.buf;
  if (!buf) return;
  raw.text = buf.toString('utf8');
  raw.binary = buf.includes(0) || !isUtf8(buf);
  // Not `delete`: it turns the line into a dictionary-mode object, slower for every handler after.
  raw.buf = undefined;
}

// A head cut in the middle of a multi-byte character is not binary junk.
function trimBrokenUtf8Tail(buf: Buffer): Buffer {
  let i = buf.length;
  let back = 0;
  while (i > 0 && back < 4 && (buf[i - 1]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i > 0 && buf[i - 1]! >= 0xc0) return buf.subarray(0, i - 1);
  return buf;
}

export const isGzipPath = (p: string) => /\.gz$/i.test(p);
/** Rollout files: `rollout-*.jsonl`, optionally gzip-compressed. */
export const isRolloutFileName = (p: string) => /\.jsonl(\.gz)?$/i.test(p);

const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(?:\.gz)?$/i;
/** The thread id carried in a rollout file name (`rollout-<ts>-<uuid>.jsonl`). */
export function threadIdFromFileName(p: string): string | undefined {
  return UUID.exec(p)?.[1]?.toLowerCase();
}

// ---- JSON decoding of one line -----------------------------------------------------------------

export type LineProblem = 'truncated_json' | 'garbage' | 'binary' | 'not_object';

export type DecodedJson =
  | { ok: true; value: Record<string, unknown>; recoveredFrom?: number; droppedPrefix?: LineProblem }
  | { ok: false; problem: LineProblem; detail: string };

const RECORD_START = /\{\s*"(?:timestamp|type|id|record_type)"\s*:/g;
const MAX_RECOVERY_TRIES = 16;

/**
 * Parses one complete line. A writer that died mid-line and was restarted leaves the broken
 * start of a record glued to the next record on one line; that next record is recovered.
 */
export function decodeJsonLine(text: string, binary: boolean): DecodedJson {
  const t = text.trim();
  try {
    const v = JSON.parse(t) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, value: v as Record<string, unknown> };
    return {
      ok: false,
      problem: 'not_object',
      detail: `JSON ${Array.isArray(v) ? 'array' : typeof v} instead of an object`,
    };
  } catch (e) {
    // Try record starts after position 0, leftmost first (a truncated record followed by a whole one).
    RECORD_START.lastIndex = 1;
    let tries = 0;
    for (let m = RECORD_START.exec(t); m && tries < MAX_RECOVERY_TRIES; m = RECORD_START.exec(t), tries++) {
      try {
        const v = JSON.parse(t.slice(m.index)) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          RECORD_START.lastIndex = 0;
          return {
            ok: true,
            value: v as Record<string, unknown>,
            recoveredFrom: m.index,
            droppedPrefix: t.startsWith('{') ? 'truncated_json' : binary ? 'binary' : 'garbage',
          };
        }
      } catch {
        /* try the next start */
      }
    }
    RECORD_START.lastIndex = 0;
    const detail = (e as Error).message.slice(0, 200);
    if (binary) return { ok: false, problem: 'binary', detail };
    if (t.startsWith('{')) return { ok: false, problem: 'truncated_json', detail };
    return { ok: false, problem: 'garbage', detail };
  }
}

// ---- Oversized lines: reading fields out of a head ---------------------------------------------

export interface SniffedHead {
  type?: string; // envelope type (or bare item type)
  payloadType?: string; // payload.type for envelope lines
  timestamp?: string;
  ordinal?: number;
  callId?: string;
  id?: string;
  turnId?: string;
  role?: string;
  name?: string;
  enveloped: boolean;
}

const FIELD_RES = new Map<string, RegExp>();
const strField = (head: string, key: string, from = 0): { value: string; at: number } | undefined => {
  let re = FIELD_RES.get(key);
  if (!re) FIELD_RES.set(key, (re = new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g')));
  re.lastIndex = from;
  const m = re.exec(head);
  if (!m) return undefined;
  try {
    return { value: JSON.parse(`"${m[1]}"`) as string, at: m.index };
  } catch {
    return { value: m[1] ?? '', at: m.index };
  }
};

/** Only what the line reader needs to pick a line's size limit: envelope or not, type, payload type. */
export function sniffTypes(head: string): { enveloped: boolean; type?: string; payloadType?: string } {
  const enveloped = /^\s*\{\s*"timestamp"\s*:/.test(head) && head.includes('"payload"');
  const first = strField(head, 'type');
  if (!enveloped || !first) return { enveloped, type: first?.value };
  const p = head.indexOf('"payload"');
  return { enveloped, type: first.value, payloadType: p >= 0 ? strField(head, 'type', p)?.value : undefined };
}

/** Best-effort field extraction from the first bytes of a line too long to keep. */
export function sniffHead(head: string): SniffedHead {
  const enveloped = /^\s*\{\s*"timestamp"\s*:/.test(head) && /"payload"\s*:/.test(head);
  const out: SniffedHead = { enveloped };
  const first = strField(head, 'type');
  out.type = first?.value;
  if (enveloped && first) {
    const p = head.indexOf('"payload"');
    if (p >= 0) out.payloadType = strField(head, 'type', p)?.value;
  }
  out.timestamp = strField(head, 'timestamp')?.value;
  const ord = /"ordinal"\s*:\s*(\d+)/.exec(head);
  if (ord) out.ordinal = Number(ord[1]);
  out.callId = strField(head, 'call_id')?.value;
  out.id = strField(head, 'id')?.value;
  out.turnId = strField(head, 'turn_id')?.value;
  out.role = strField(head, 'role')?.value;
  out.name = strField(head, 'name')?.value;
  return out;
}

/**
 * Decodes the start of a JSON string value `"key": "...` from a head that may end inside it.
 * Returns the decoded prefix and whether the closing quote was seen.
 */
export function jsonStringPrefix(head: string, key: string): { text: string; complete: boolean } | undefined {
  const m = new RegExp(`"${key}"\\s*:\\s*"`).exec(head);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  let out = '';
  while (i < head.length) {
    const c = head[i]!;
    if (c === '"') return { text: out, complete: true };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const n = head[i + 1];
    if (n === undefined) break;
    if (n === 'u') {
      const hex = head.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    out +=
      ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' } as Record<string, string>)[n] ??
      n;
    i += 2;
  }
  return { text: out, complete: false };
}

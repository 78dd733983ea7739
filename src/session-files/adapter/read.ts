// The file side of the session-file source: the only code here that touches node:fs and zlib.
// Finds rollout files, reads one as byte chunks (gunzipping .gz), and drives the pure pipeline
// (decode.ts splits lines, parser/ applies them) over it, from a checkpoint when there is one.
import { stat } from 'node:fs/promises';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, decodeJsonLine, isGzipPath, threadIdFromFileName } from './decode.js';
import { lineLimitFor } from './normalize.js';
import { DEFAULT_MAX_TOOL_OUTPUT_BYTES, RolloutParser } from './parser/parser.js';
import type { CheckedBodies } from './parser/usage-meta.js';
import type {
  RolloutCheckpoint,
  RolloutContent,
  RolloutEvent,
  RolloutReadResult,
  RolloutRecord,
  RolloutStats,
} from './types.js';
/**
 * Opens a rollout file as a stream of byte chunks starting at `start` (a byte offset in the
 * decompressed content for .gz files, which are decompressed from the beginning and skipped).
 */
export async function* readChunks(path: string, start = 0, highWaterMark = 256 * 1024): AsyncGenerator<Buffer> {
  if (!isGzipPath(path)) {
    const s = createReadStream(path, { start, highWaterMark });
    for await (const chunk of s) yield chunk as Buffer;
    return;
  }
  const raw = createReadStream(path, { highWaterMark });
  const gunzip = createGunzip();
  const s: Readable = raw.pipe(gunzip);
  raw.on('error', (e) => gunzip.destroy(e));
  let skip = start;
  for await (const c of s) {
    let chunk = c as Buffer;
    if (skip > 0) {
      if (chunk.length <= skip) {
        skip -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(skip);
      skip = 0;
    }
    yield chunk;
  }
}

export interface ReadOptions {
  /** Resume after a previous read (its result's checkpoint). */
  checkpoint?: RolloutCheckpoint;
  /**
   * The file is complete (default false: it may still be written). When final, an unterminated
   * last line that parses as a whole record is read, and whatever is still pending (a turn cut off
   * before its prompt, tool calls waiting for their output, a thread with no turn yet) is emitted.
   * Without it those wait in the checkpoint for the next read. Defaults to true for .gz files
   * (compressed rollouts are archived, finished files).
   */
  final?: boolean;
  content?: boolean;
  attributeSubagentsToParent?: boolean;
  /** Thread id for a file without session_meta (default: the UUID in the file name). */
  threadId?: string;
  /** Lines up to this size are parsed whole (default 16 MiB); longer ones are read from their head. */
  maxLineBytes?: number;
  /** Tool output lines over this size are read from their head (default 1 MiB). */
  maxToolOutputBytes?: number;
  /** Bytes kept of a line over its limit (default 64 KiB). */
  headBytes?: number;
  /** The usage-only pass (ParserOptions.usageOnly): responses, turns and threads, no content. */
  usageOnly?: boolean;
  /** What a reader keeps from one file's read to the next (a report's reader thread). */
  scratch?: ReadScratch;
}

/** One read's parser and splitter, set up from the file's stat and the checkpoint to resume. */
function startRead(path: string, info: { ino: number; size: number; mtimeMs: number }, opts: ReadOptions) {
  const gz = isGzipPath(path);
  const final = opts.final ?? gz;
  let cp = opts.checkpoint;
  let reset: RolloutStats['reset'];
  if (cp) {
    if (cp.ino !== undefined && cp.ino !== info.ino) reset = 'file_replaced';
    else if (!gz && info.size < cp.offset) reset = 'file_shrank';
    if (reset) cp = undefined;
  }
  const start = cp?.offset ?? 0;
  const parser = new RolloutParser({
    path,
    threadIdHint: opts.threadId ?? threadIdFromFileName(path),
    state: cp?.state,
    content: opts.content,
    attributeSubagentsToParent: opts.attributeSubagentsToParent,
    fallbackTs: info.mtimeMs,
    startOffset: start,
    usageOnly: opts.usageOnly,
    checkedBodies: opts.scratch ? (opts.scratch.checked ??= { bodies: [] }) : undefined,
  });
  if (reset) parser.stats.reset = reset;
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const splitter = new LineSplitter({
    startOffset: start,
    startLine: cp?.lines ?? 0,
    maxLineBytes: maxLine,
    headBytes: opts.headBytes,
    limitFor: lineLimitFor(maxLine, opts.maxToolOutputBytes ?? DEFAULT_MAX_TOOL_OUTPUT_BYTES),
    lazy: opts.usageOnly,
  });
  return { gz, final, start, parser, splitter, info };
}

/** The end of a read: an unterminated last line (read when the file is final), then the result. */
function endRead(path: string, r: ReturnType<typeof startRead>): RolloutRecord[] {
  const { parser, splitter, final, gz, info } = r;
  const out: RolloutRecord[] = [];
  const tail = splitter.end();
  let offset = tail.offset;
  let lines = tail.lines;
  const p = tail.partial;
  if (p) {
    const whole = (final || gz) && !p.oversized && p.text !== undefined && decodeJsonLine(p.text, p.binary).ok;
    if (whole) {
      for (const x of parser.line(p)) out.push(x);
      offset += p.bytes;
      lines += 1;
    } else parser.stats.partialTail = { line: p.lineNo, offset: p.offset, bytes: p.bytes };
  }
  for (const x of parser.finish({ final })) out.push(x);
  parser.stats.endOffset = offset;
  const checkpoint = { v: 1, path, offset, lines, size: info.size, ino: info.ino } as RolloutCheckpoint;
  // The state is copied out of the parser when first read (stored, sent or serialized), not here:
  // the report keeps no checkpoint for a short final file, and saveState was ~2 % of its pass.
  let state: RolloutCheckpoint['state'] | undefined;
  Object.defineProperty(checkpoint, 'state', {
    enumerable: true,
    get: () => (state ??= parser.state()),
    set: (v: RolloutCheckpoint['state']) => void (state = v),
  });
  const result: RolloutReadResult = { stats: parser.stats, checkpoint };
  out.push({ type: 'done', result });
  return out;
}

/**
 * Reads one rollout file and yields its records: events and content as they are found, and a
 * final `{type: 'done', result: {stats, checkpoint}}`. Bad lines are reported in the stats, never
 * thrown; a missing or unreadable file throws.
 */
export async function* iterateRollout(
  path: string,
  opts: ReadOptions = {},
): AsyncGenerator<RolloutRecord, void, undefined> {
  const r = startRead(path, await stat(path), opts);
  try {
    for await (const chunk of readChunks(path, r.start)) {
      for (const raw of r.splitter.push(chunk)) yield* r.parser.line(raw);
    }
  } catch (e) {
    if (!r.gz) throw e;
    r.parser.stats.readError = `decompression failed: ${(e as Error).message}`;
  }
  yield* endRead(path, r);
}

// Up to this many bytes are read in one call; a longer file in pieces of CHUNK_BYTES, so memory
// stays bounded by the chunk, not the file.
const WHOLE_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/**
 * A buffer a caller reads file after file into (a report's reader thread): a fresh one per file was
 * ~1 GB of short-lived allocations per gigabyte read. Only a read of one piece uses it, and only
 * while the read lasts: nothing the parser keeps is a view of its bytes (a lazy line is decoded to a
 * string or dropped, a line continued past a chunk is copied).
 */
export interface ReadScratch {
  buf?: Buffer;
  checked?: CheckedBodies; // and the instructions it has checked (usage-meta.ts)
}

type SyncReadOptions = ReadOptions & { onBytes?: (chunk: Buffer, offset: number) => void };

function firstBuffer(size: number, scratch: ReadScratch | undefined): Buffer {
  if (!scratch) return Buffer.allocUnsafe(size);
  if (!scratch.buf || scratch.buf.length < size) scratch.buf = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
  return scratch.buf.subarray(0, size);
}

/** The chunks of a plain file from the read's start: one for a small file, else CHUNK_BYTES pieces. */
function* syncChunks(fd: number, r: ReturnType<typeof startRead>, opts: SyncReadOptions): Generator<Buffer> {
  let pos = r.start;
  const left = r.info.size - pos;
  const whole = left <= WHOLE_BYTES;
  let buf = whole ? firstBuffer(Math.max(0, left), opts.scratch) : Buffer.allocUnsafe(CHUNK_BYTES);
  while (buf.length > 0) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    const chunk = buf.subarray(0, n);
    opts.onBytes?.(chunk, pos);
    pos += n;
    yield chunk;
    if (whole) break;
    buf = Buffer.allocUnsafe(CHUNK_BYTES); // not reused: the lines read may keep views of the last one
  }
}

/**
 * iterateRollout without a stream, for a plain (not .gz) file: one open, one fstat and, for a small
 * file, one read. On the report's reader threads a thread-pool round trip per chunk, and several
 * per file, cost more than the parsing of a short session file; blocking there blocks nothing.
 * `onBytes` sees every chunk read, with its offset in the file.
 */
export function* iterateRolloutSync(
  path: string,
  opts: SyncReadOptions = {},
): Generator<RolloutRecord, void, undefined> {
  if (isGzipPath(path)) throw new Error('iterateRolloutSync reads plain files; use iterateRollout for .gz');
  const fd = openSync(path, 'r');
  try {
    const r = startRead(path, fstatSync(fd), opts);
    for (const chunk of syncChunks(fd, r, opts)) for (const raw of r.splitter.push(chunk)) yield* r.parser.line(raw);
    yield* endRead(path, r);
  } finally {
    closeSync(fd);
  }
}

/**
 * iterateRolloutSync handing each record to `each` instead of yielding it: the report's reader
 * threads read tens of thousands of short files, where a generator resumed per line and per record
 * cost more than some of the lines' parsing.
 */
export function readRolloutSync(path: string, opts: SyncReadOptions, each: (r: RolloutRecord) => void): void {
  if (isGzipPath(path)) throw new Error('readRolloutSync reads plain files; use iterateRollout for .gz');
  const fd = openSync(path, 'r');
  try {
    const r = startRead(path, fstatSync(fd), opts);
    for (const chunk of syncChunks(fd, r, opts))
      for (const raw of r.splitter.push(chunk)) for (const x of r.parser.line(raw)) each(x);
    for (const x of endRead(path, r)) each(x);
  } finally {
    closeSync(fd);
  }
}

/** Callback form of iterateRollout; resolves with the stats and checkpoint. */
export async function parseRolloutFile(
  path: string,
  opts: ReadOptions & {
    onEvent?: (e: RolloutEvent) => void | Promise<void>;
    onContent?: (c: RolloutContent) => void | Promise<void>;
  } = {},
): Promise<RolloutReadResult> {
  const { onEvent, onContent, ...rest } = opts;
  let result: RolloutReadResult | undefined;
  for await (const r of iterateRollout(path, { ...rest, content: rest.content ?? onContent !== undefined })) {
    if (r.type === 'event') await onEvent?.(r.event);
    else if (r.type === 'content') await onContent?.(r.content);
    else result = r.result;
  }
  if (!result) throw new Error('rollout read ended without a result');
  return result;
}

/** Everything from one read in memory: for small files and tests. */
export async function collectRollout(
  path: string,
  opts: ReadOptions = {},
): Promise<RolloutReadResult & { events: RolloutEvent[]; content: RolloutContent[] }> {
  const events: RolloutEvent[] = [];
  const content: RolloutContent[] = [];
  const result = await parseRolloutFile(path, {
    ...opts,
    content: opts.content ?? true,
    onEvent: (e) => void events.push(e),
    onContent: (c) => void content.push(c),
  });
  return { ...result, events, content };
}

export { findRolloutFiles } from './list.js';

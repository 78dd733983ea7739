// Fuzz targets for the decoders, in process (decisions/0029). The property of each: the decoder
// either throws a typed StewardError for the whole body, or returns records whose normalized events
// are within core/bounds.ts; anything else (a TypeError, a RangeError, an event with an unbounded
// field) is a failure fast-check shrinks to a small case.
import fc from 'fast-check';
import { StewardError } from '../../../src/core/errors.js';
import { DROP_REASONS, isDrop, type NormalizedEvent } from '../../../src/core/events.js';
import { idProblem, MAX_INT32, MIN_EVENT_MS, timeProblem, tokenProblem } from '../../../src/core/bounds.js';
import { decodeJson, decodeProtobuf, type DecodedLogs } from '../../../src/ingest/otlp/decode.js';
import { normalizeRecord } from '../../../src/ingest/otlp/normalize.js';
import { ExportLogsServiceRequest } from '../../../src/ingest/otlp/schema.js';
import { parseRawLines, rolloutSplitter } from '../../../src/session-files/adapter/lines.js';
import type { RawLine } from '../../../src/session-files/adapter/decode.js';
import type { RolloutRecord } from '../../../src/session-files/adapter/parser.js';
import { applyByteEdits, applyEdits, byteEdits, edits, nastyJson, nastyString } from './values.js';
import { otlpProtobufSeeds, otlpSeeds, rolloutLineSeeds } from './seeds.js';

export interface FuzzTarget<T> {
  name: string;
  arb: fc.Arbitrary<T>;
  check(input: T): void | Promise<void>;
}

const ID_FIELDS = [
  'threadId',
  'originator',
  'model',
  'emailClaim',
  'parentThreadId',
  'approvalPolicy',
  'sandboxPolicy',
  'provider',
  'turnId',
  'responseId',
  'callId',
  'toolName',
  'decision',
  'decisionSource',
] as const;

/** Throws naming the first field of `e` outside core/bounds.ts. */
export function assertEventBounded(e: NormalizedEvent): void {
  const fail = (why: string) => {
    throw new Error(`${e.kind} event out of bounds: ${why}`);
  };
  for (const f of ID_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[f];
    if (v === undefined) continue;
    if (typeof v !== 'string') fail(`${f} is a ${typeof v}`);
    const p = idProblem(f, v as string);
    if (p) fail(p);
  }
  if (e.kind !== 'thread_started' && e.threadId === '') fail('threadId is empty');
  if (!e.untimed) {
    const p = timeProblem(e.ts);
    if (p) fail(p);
  }
  if (!Number.isSafeInteger(e.ts)) fail(`ts ${e.ts} is not an integer`);
  if (e.kind === 'response') {
    for (const [k, n] of Object.entries({ ...e.tokens, cacheWrite: e.cacheWrite ?? 0 })) {
      const p = tokenProblem(k, n);
      if (p) fail(p);
    }
    if (e.tokens.cached > e.tokens.input) fail(`cached ${e.tokens.cached} > input ${e.tokens.input}`);
  }
  const ints = {
    promptLength: (e as any).promptLength,
    durationMs: (e as any).durationMs,
    exitCode: (e as any).exitCode,
  };
  for (const [k, n] of Object.entries(ints)) {
    if (n === undefined) continue;
    if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_INT32) fail(`${k} ${n} is not a 32-bit integer`);
  }
}

// A typed error for the whole body, or records each normalized to nothing, a drop, or a bounded event.
function checkDecoded(decode: () => DecodedLogs): void {
  let d: DecodedLogs;
  try {
    d = decode();
  } catch (e) {
    if (e instanceof StewardError && e.code === 'malformed_body') return;
    throw e;
  }
  for (const r of d.records) {
    const n = normalizeRecord(r);
    if (n === null) continue;
    if (isDrop(n)) {
      if (!DROP_REASONS.includes(n.reason)) throw new Error(`unknown drop reason ${n.reason}`);
      continue;
    }
    assertEventBounded(n);
  }
}

/** OTLP/JSON bodies: edited captures, their text damaged, or any JSON at all. */
export function otlpJsonBodies(): fc.Arbitrary<Buffer> {
  const seeds = otlpSeeds();
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    { arbitrary: fc.tuple(seed, edits()).map(([s, e]) => Buffer.from(JSON.stringify(applyEdits(s, e)))), weight: 6 },
    {
      arbitrary: fc.tuple(seed, byteEdits()).map(([s, e]) => applyByteEdits(Buffer.from(JSON.stringify(s)), e)),
      weight: 2,
    },
    { arbitrary: nastyJson.map((v) => Buffer.from(JSON.stringify(v) ?? '')), weight: 1 },
    { arbitrary: nastyString.map((s) => Buffer.from(s)), weight: 1 },
  );
}

/** OTLP protobuf bodies: edited captures re-encoded, their bytes damaged, or random bytes. */
export function otlpProtobufBodies(): fc.Arbitrary<Buffer> {
  const json = otlpSeeds();
  const bytes = otlpProtobufSeeds(json);
  const reencoded = fc.tuple(fc.constantFrom(...json), edits()).map(([s, e]) => {
    // The encoder refuses some edits (a string where a message goes): those bodies are sent as JSON text.
    const doc = applyEdits(s, e);
    try {
      const T = ExportLogsServiceRequest;
      return Buffer.from(T.encode(T.fromObject(doc as object)).finish());
    } catch {
      return Buffer.from(JSON.stringify(doc) ?? '');
    }
  });
  return fc.oneof(
    { arbitrary: reencoded, weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom(...bytes), byteEdits()).map(([s, e]) => applyByteEdits(s, e)), weight: 4 },
    { arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)), weight: 2 },
  );
}

export const otlpJsonTarget = (): FuzzTarget<Buffer> => ({
  name: 'otlp-json decoder',
  arb: otlpJsonBodies(),
  check: (body) => checkDecoded(() => decodeJson(body)),
});

export const otlpProtobufTarget = (): FuzzTarget<Buffer> => ({
  name: 'otlp-protobuf decoder',
  arb: otlpProtobufBodies(),
  check: (body) => checkDecoded(() => decodeProtobuf(body)),
});

/** A session file's bytes: real lines (edited or not), junk lines, blank lines; maybe damaged bytes. */
export function rolloutFiles(): fc.Arbitrary<Buffer> {
  const seeds = rolloutLineSeeds();
  const line = fc.oneof(
    { arbitrary: fc.constantFrom(...seeds).map((s) => JSON.stringify(s)), weight: 3 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...seeds), edits(4)).map(([s, e]) => JSON.stringify(applyEdits(s, e))),
      weight: 6,
    },
    { arbitrary: nastyJson.map((v) => JSON.stringify(v) ?? ''), weight: 1 },
    { arbitrary: nastyString.map((s) => s.replaceAll('\n', ' ')), weight: 1 },
  );
  const file = fc.array(line, { minLength: 1, maxLength: 14 }).map((ls) => Buffer.from(ls.join('\n') + '\n'));
  return fc.oneof(
    { arbitrary: file, weight: 4 },
    { arbitrary: fc.tuple(file, byteEdits(4)).map(([f, e]) => applyByteEdits(f, e)), weight: 1 },
  );
}

export interface RolloutCase {
  bytes: Buffer;
  chunk: number; // read-chunk size, as read.ts would hand the splitter
  cut: number; // lines read before the checkpoint (then the rest from the checkpoint)
  mtime: number; // the file's mtime, the time of lines before any line with a time (as uploads send it)
}

/** Splits `c.bytes` as a reader does and parses it in two reads joined by a stored checkpoint. */
export function parseInTwoReads(c: RolloutCase): RolloutRecord[] {
  const splitter = rolloutSplitter(0, 0);
  const lines: RawLine[] = [];
  for (let i = 0; i < c.bytes.length; i += c.chunk) lines.push(...splitter.push(c.bytes.subarray(i, i + c.chunk)));
  const tail = splitter.end();
  if (tail.partial) lines.push(tail.partial);
  const cut = lines.length ? c.cut % (lines.length + 1) : 0;
  const path = '/home/dev/.codex/sessions/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl';
  const first = parseRawLines(lines.slice(0, cut), { path, offset: 0, line: 0, final: false, fallbackTs: c.mtime });
  // The checkpoint goes through the database as JSON: what survives that is what the next read gets.
  const checkpoint = JSON.parse(JSON.stringify(first.result.checkpoint));
  const at = lines[cut];
  const second = parseRawLines(lines.slice(cut), {
    path,
    checkpoint,
    offset: at ? at.offset : first.result.checkpoint.offset,
    line: at ? at.lineNo - 1 : first.result.checkpoint.lines,
    final: true,
    fallbackTs: c.mtime,
  });
  return [...first.records, ...second.records];
}

export const rolloutParserTarget = (): FuzzTarget<RolloutCase> => ({
  name: 'session-file parser',
  arb: fc.record({
    bytes: rolloutFiles(),
    chunk: fc.integer({ min: 1, max: 70_000 }),
    cut: fc.nat(),
    mtime: fc.integer({ min: MIN_EVENT_MS, max: Date.now() }),
  }),
  check(c) {
    for (const r of parseInTwoReads(c)) if (r.type === 'event') assertEventBounded(r.event);
  },
});

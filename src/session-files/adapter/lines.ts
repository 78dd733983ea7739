// Session files shipped as lines (steward push / collect -> POST /v1/ingest/rollouts). The client
// splits a file with the same splitter and limits as iterateRollout and sends each line as it was
// kept (whole, or the head of an over-long line with its true size); the server rebuilds the same
// RawLines and runs the same parser from its stored checkpoint. So a file read locally and a file
// uploaded produce the same events, keys and content.
import { LineSplitter, DEFAULT_MAX_LINE_BYTES, isGzipPath, threadIdFromFileName, type RawLine } from './decode.js';
import { readChunks } from './read.js';
import { lineLimitFor } from './normalize.js';
import { DEFAULT_MAX_TOOL_OUTPUT_BYTES, RolloutParser } from './parser/parser.js';
import type { RolloutCheckpoint, RolloutReadResult, RolloutRecord } from './types.js';

/** One line on the wire: `n` its size in bytes (without '\n'), `t` the text or `h` the kept head, `b` binary. */
export interface WireLine {
  n: number;
  t?: string;
  h?: string;
  b?: 1;
}

export function toWireLine(r: RawLine): WireLine {
  const w: WireLine = { n: r.bytes };
  if (r.oversized) w.h = r.head ?? '';
  else w.t = r.text ?? '';
  if (r.binary) w.b = 1;
  return w;
}

/** RawLines of a wire chunk that starts at byte `offset`, after `line` lines. */
export function fromWireLines(lines: WireLine[], offset: number, line: number): RawLine[] {
  const out: RawLine[] = [];
  let o = offset;
  let n = line;
  for (const w of lines) {
    n += 1;
    const oversized = w.h !== undefined && w.t === undefined;
    out.push(
      oversized
        ? { lineNo: n, offset: o, bytes: w.n, head: w.h, oversized: true, binary: w.b === 1 }
        : { lineNo: n, offset: o, bytes: w.n, text: w.t ?? '', oversized: false, binary: w.b === 1 },
    );
    o += w.n + 1;
  }
  return out;
}

/** The splitter iterateRollout uses, resuming at `offset` after `line` lines. */
export function rolloutSplitter(offset: number, line: number, maxLineBytes = DEFAULT_MAX_LINE_BYTES): LineSplitter {
  return new LineSplitter({
    startOffset: offset,
    startLine: line,
    maxLineBytes,
    limitFor: lineLimitFor(maxLineBytes, DEFAULT_MAX_TOOL_OUTPUT_BYTES),
  });
}

export interface LineBatch {
  lines: RawLine[];
  offset: number; // where the first line starts
  line: number; // lines before it
  endOffset: number; // just after the last complete line of the batch
  endLine: number;
  approxBytes: number; // kept bytes in the batch (what goes on the wire)
}

/**
 * Complete lines of a file from `offset`, in batches of about `maxBatchBytes` kept bytes. An
 * unterminated last line is never included (the writer may still be writing it).
 */
export async function* readLineBatches(
  path: string,
  offset: number,
  line: number,
  maxBatchBytes = 4 * 1024 * 1024,
): AsyncGenerator<LineBatch> {
  const splitter = rolloutSplitter(offset, line);
  let batch: LineBatch = { lines: [], offset, line, endOffset: offset, endLine: line, approxBytes: 0 };
  for await (const chunk of readChunks(path, offset)) {
    for (const raw of splitter.push(chunk)) {
      batch.lines.push(raw);
      batch.endOffset = raw.offset + raw.bytes + 1;
      batch.endLine = raw.lineNo;
      batch.approxBytes += (raw.text?.length ?? raw.head?.length ?? 0) + 16;
      if (batch.approxBytes >= maxBatchBytes) {
        yield batch;
        batch = {
          lines: [],
          offset: batch.endOffset,
          line: batch.endLine,
          endOffset: batch.endOffset,
          endLine: batch.endLine,
          approxBytes: 0,
        };
      }
    }
  }
  if (batch.lines.length) yield batch;
}

export interface ParseLinesOptions {
  path?: string;
  threadId?: string;
  checkpoint?: RolloutCheckpoint; // state to continue from (undefined: start of the file)
  offset: number;
  line: number;
  final?: boolean;
  fallbackTs?: number;
  content?: boolean;
}

/** Runs the parser over lines that continue a file from a checkpoint; returns what iterateRollout would have. */
export function parseRawLines(
  lines: RawLine[],
  opts: ParseLinesOptions,
): { records: RolloutRecord[]; result: RolloutReadResult } {
  const parser = new RolloutParser({
    path: opts.path,
    threadIdHint: opts.threadId ?? (opts.path ? threadIdFromFileName(opts.path) : undefined),
    state: opts.checkpoint?.state,
    content: opts.content,
    fallbackTs: opts.fallbackTs,
    startOffset: opts.offset,
  });
  const records: RolloutRecord[] = [];
  let endOffset = opts.offset;
  let endLine = opts.line;
  for (const raw of lines) {
    for (const r of parser.line(raw)) records.push(r);
    endOffset = raw.offset + raw.bytes + 1;
    endLine = raw.lineNo;
  }
  for (const r of parser.finish({ final: opts.final })) records.push(r);
  parser.stats.endOffset = endOffset;
  const result: RolloutReadResult = {
    stats: parser.stats,
    checkpoint: { v: 1, path: opts.path, offset: endOffset, lines: endLine, state: parser.state() },
  };
  return { records, result };
}

export { isGzipPath };

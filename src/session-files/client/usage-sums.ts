// One file's usage-only read summed as the store's report queries return it (per quarter hour x
// model x thread, and counted turns per quarter hour x thread). Loaded by the report's reader
// threads too (usage-sums.worker.ts), so it imports only the parser and pure rules.
import { keyOf, type NormalizedEvent } from '../../core/events.js';
import { priceUsage } from '../../core/pricing.js';
import { contentHashesSync } from '../adapter/content-check.js';
import { isGzipPath } from '../adapter/lines.js';
import {
  iterateRollout,
  readRolloutSync,
  type ReadScratch,
  type RolloutCheckpoint,
  type RolloutReadResult,
  type RolloutRecord,
} from '../adapter/parser.js';
import { SLOT_MS, type TurnSlotRow, type UsageSlotRow } from './usage-report.js';
import { headOf } from './usage-cache.js';

/** One file's sums: what the store would hold for it, grouped as the report reads it. */
export interface FileSums {
  usage: UsageSlotRow[];
  turns: TurnSlotRow[];
}

export type FileRead = FileSums & {
  offset: number; // bytes read (the checkpoint's offset)
  // The checkpoint as JSON, for a file that may still grow or is long; a short final file keeps
  // none (should it grow after all, it is read again from the start: cheaper than a cache holding
  // a parser state for each of tens of thousands of files).
  cp: string | null;
  head: string | null; // the content check (headOf, usage-cache.ts)
  lines: number;
  skipped: number;
  reset: boolean;
  threadId?: string;
};

export interface SumOptions {
  checkpoint?: RolloutCheckpoint;
  final: boolean;
  creditsPerUsd: number;
  seen?: Set<string>; // natural keys already counted (files of one thread read together)
  scratch?: ReadScratch; // a buffer reused file after file (read.ts)
}

const KEEP_CHECKPOINT_BYTES = 1024 * 1024;

const uKey = (r: { slot: number; model: string; thread_id: string }) => `${r.slot}\u0000${r.model}\u0000${r.thread_id}`;
const tKey = (r: { slot: number; thread_id: string }) => `${r.slot}\u0000${r.thread_id}`;

export function mergeInto(usage: Map<string, UsageSlotRow>, turns: Map<string, TurnSlotRow>, s: FileSums): void {
  for (const r of s.usage) {
    const k = uKey(r);
    const a = usage.get(k);
    if (!a) {
      usage.set(k, { ...r });
      continue;
    }
    a.requests += r.requests;
    a.input_tokens += r.input_tokens;
    a.cached_input_tokens += r.cached_input_tokens;
    a.output_tokens += r.output_tokens;
    a.reasoning_tokens += r.reasoning_tokens;
    a.cost_nusd += r.cost_nusd;
    a.fallback = Math.max(a.fallback, r.fallback);
    a.first_ts = Math.min(a.first_ts, r.first_ts);
    a.last_ts = Math.max(a.last_ts, r.last_ts);
  }
  for (const r of s.turns) {
    const k = tKey(r);
    const a = turns.get(k);
    if (a) a.turns += r.turns;
    else turns.set(k, { ...r });
  }
}

/** Sums of one read's events, deduplicated by their natural keys as the store's unique keys do. */
class Summer {
  readonly usage = new Map<string, UsageSlotRow>();
  readonly turns = new Map<string, TurnSlotRow>();
  result?: RolloutReadResult;
  constructor(
    private readonly seen: Set<string>,
    private readonly creditsPerUsd: number,
  ) {}

  add(r: RolloutRecord): void {
    if (r.type === 'done') this.result = r.result;
    else if (r.type === 'event' && (r.event.kind === 'response' || r.event.kind === 'turn')) this.event(r.event);
  }

  private event(e: NormalizedEvent & { kind: 'response' | 'turn' }): void {
    const key = keyOf(e);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const slot = Math.floor(e.ts / SLOT_MS);
    if (e.kind === 'turn') {
      // A turn counts as the store counts it: a user thread's turn.
      if ((e.threadKind ?? 'user') !== 'user') return;
      const k = tKey({ slot, thread_id: e.threadId });
      const a = this.turns.get(k);
      if (a) a.turns++;
      else this.turns.set(k, { slot, thread_id: e.threadId, turns: 1 });
      return;
    }
    let priced;
    try {
      priced = priceUsage(e.model, e.tokens, this.creditsPerUsd);
    } catch (err) {
      if (err instanceof RangeError) return; // the store drops it too (invalid_attribute)
      throw err;
    }
    const row: UsageSlotRow = {
      slot,
      model: e.model ?? 'unknown',
      thread_id: e.threadId,
      requests: 1,
      input_tokens: e.tokens.input,
      cached_input_tokens: e.tokens.cached,
      output_tokens: e.tokens.output,
      reasoning_tokens: e.tokens.reasoning,
      cost_nusd: priced.costNanoUsd,
      fallback: priced.fallback ? 1 : 0,
      first_ts: e.ts,
      last_ts: e.ts,
    };
    mergeInto(this.usage, this.turns, { usage: [row], turns: [] });
  }
}

/**
 * Reads one file (from `checkpoint` when given) in usage-only mode; returns the sums of what it read,
 * and, unless the file is final, the new checkpoint and content check. A plain file is read
 * synchronously in one piece when small (readRolloutSync); a .gz one through its stream.
 */
export async function summarizeFile(path: string, opts: SumOptions): Promise<FileRead> {
  const sum = new Summer(opts.seen ?? new Set(), opts.creditsPerUsd);
  const read = { checkpoint: opts.checkpoint, final: opts.final, usageOnly: true };
  const gz = isGzipPath(path);
  // The first and last chunks read hold the content check's bytes (the head, those before the offset).
  const pieces: { bytes: Buffer; start: number }[] = [];
  if (gz) for await (const r of iterateRollout(path, read)) sum.add(r);
  else {
    const onBytes = (bytes: Buffer, start: number) => {
      if (pieces.length === 2) pieces.pop();
      pieces.push({ bytes, start });
    };
    readRolloutSync(path, { ...read, onBytes, scratch: opts.scratch }, (r) => sum.add(r));
  }
  const res = sum.result;
  if (!res) throw new Error('the parser ended without a result');
  const { checkpoint, stats } = res;
  const keep = !opts.final || checkpoint.offset >= KEEP_CHECKPOINT_BYTES;
  const head = gz ? null : headOf(contentHashesSync(path, checkpoint.offset, pieces));
  return {
    usage: [...sum.usage.values()],
    turns: [...sum.turns.values()],
    offset: checkpoint.offset,
    cp: keep ? JSON.stringify(checkpoint) : null,
    head,
    lines: stats.lines,
    skipped: stats.skippedCount,
    reset: stats.reset !== undefined,
    threadId: stats.threadId,
  };
}

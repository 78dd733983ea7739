// One file's usage-only read summed as the store's report queries return it (per quarter hour x
// model x thread, and counted turns per quarter hour x thread). Loaded by the report's worker threads
// too (usage-sums.worker.ts), so it imports only the parser and pure rules.
import { keyOf } from '../../core/events.js';
import { priceUsage } from '../../core/pricing.js';
import { iterateRollout, type RolloutCheckpoint } from '../adapter/parser.js';
import { SLOT_MS, type TurnSlotRow, type UsageSlotRow } from './usage-report.js';

/** One file's sums: what the store would hold for it, grouped as the report reads it. */
export interface FileSums {
  usage: UsageSlotRow[];
  turns: TurnSlotRow[];
}

export type FileRead = FileSums & {
  checkpoint: RolloutCheckpoint;
  lines: number;
  skipped: number;
  reset: boolean;
  threadId?: string;
};

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

/**
 * Reads one file (from `checkpoint` when given) in usage-only mode; returns the sums of what it read
 * and the new checkpoint. Responses and turns are deduplicated by their natural keys within the file,
 * as the store's unique keys do; a turn counts as the store counts it (a user thread's turn).
 */
export async function summarizeFile(
  path: string,
  opts: { checkpoint?: RolloutCheckpoint; final: boolean; creditsPerUsd: number; seen?: Set<string> },
): Promise<FileRead> {
  const usage = new Map<string, UsageSlotRow>();
  const turns = new Map<string, TurnSlotRow>();
  const seen = opts.seen ?? new Set<string>();
  let threadId: string | undefined;
  let checkpoint: RolloutCheckpoint | undefined;
  let lines = 0;
  let skipped = 0;
  let reset = false;
  for await (const r of iterateRollout(path, { checkpoint: opts.checkpoint, final: opts.final, usageOnly: true })) {
    if (r.type === 'done') {
      checkpoint = r.result.checkpoint;
      lines = r.result.stats.lines;
      skipped = r.result.stats.skippedCount;
      reset = r.result.stats.reset !== undefined;
      threadId = r.result.stats.threadId;
      continue;
    }
    if (r.type !== 'event') continue;
    const e = r.event;
    if (e.kind !== 'response' && e.kind !== 'turn') continue;
    const key = keyOf(e);
    if (seen.has(key)) continue;
    seen.add(key);
    const slot = Math.floor(e.ts / SLOT_MS);
    if (e.kind === 'turn') {
      if ((e.threadKind ?? 'user') !== 'user') continue;
      const k = tKey({ slot, thread_id: e.threadId });
      const a = turns.get(k);
      if (a) a.turns++;
      else turns.set(k, { slot, thread_id: e.threadId, turns: 1 });
      continue;
    }
    let priced;
    try {
      priced = priceUsage(e.model, e.tokens, opts.creditsPerUsd);
    } catch (err) {
      if (err instanceof RangeError) continue; // the store drops it too (invalid_attribute)
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
    mergeInto(usage, turns, { usage: [row], turns: [] });
  }
  if (!checkpoint) throw new Error('the parser ended without a result');
  return { usage: [...usage.values()], turns: [...turns.values()], checkpoint, lines, skipped, reset, threadId };
}

/** One file for a worker thread (usage-sums.worker.ts). */
export interface SumJob {
  id: number;
  path: string;
  checkpoint?: RolloutCheckpoint;
  final: boolean;
  creditsPerUsd: number;
}

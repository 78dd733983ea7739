// The summary cache's rows as tuples, the file's own thread left out: a cache of tens of thousands of
// files is parsed whole by every report, and objects with named fields made it twice the size.
import type { FileSums } from './usage-sums.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';

// slot, model, thread (null: the file's own), requests, input, cached, output, reasoning, cost (nano
// USD), fallback, first, last
export type UsageTuple = [
  number,
  string,
  string | null,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
export type TurnTuple = [number, string | null, number]; // slot, thread (null: the file's own), turns

export interface CachedSums {
  u: UsageTuple[];
  t: TurnTuple[];
}

export function toTuples(s: FileSums, own: string | null): CachedSums {
  return {
    u: s.usage.map((r) => [
      r.slot,
      r.model,
      r.thread_id === own ? null : r.thread_id,
      r.requests,
      r.input_tokens,
      r.cached_input_tokens,
      r.output_tokens,
      r.reasoning_tokens,
      r.cost_nusd,
      r.fallback,
      r.first_ts,
      r.last_ts,
    ]),
    t: s.turns.map((r) => [r.slot, r.thread_id === own ? null : r.thread_id, r.turns]),
  };
}

export function fromTuples(c: CachedSums, own: string | null): FileSums {
  const usage: UsageSlotRow[] = c.u.map((x) => ({
    slot: x[0],
    model: x[1],
    thread_id: x[2] ?? own ?? '',
    requests: x[3],
    input_tokens: x[4],
    cached_input_tokens: x[5],
    output_tokens: x[6],
    reasoning_tokens: x[7],
    cost_nusd: x[8],
    fallback: x[9],
    first_ts: x[10],
    last_ts: x[11],
  }));
  const turns: TurnSlotRow[] = c.t.map((x) => ({ slot: x[0], thread_id: x[1] ?? own ?? '', turns: x[2] }));
  return { usage, turns };
}

// What the overview shows, computed from usage rows (one per user and bucket): the tiles and the
// stacked series. Pure, so the numbers on screen are exactly sums of what the API returned.
import type { UsageRow } from './api.js';

export interface Tiles {
  activeUsers: number;
  threads: number;
  turns: number;
  credits: number;
  usd: number;
  tokens: number;
}
export type TileKey = keyof Tiles;

export function tiles(rows: UsageRow[]): Tiles {
  const users = new Set<string>();
  const t: Tiles = { activeUsers: 0, threads: 0, turns: 0, credits: 0, usd: 0, tokens: 0 };
  for (const r of rows) {
    if (r.user_id) users.add(r.user_id);
    t.threads += r.totals.threads;
    t.turns += r.totals.turns;
    t.credits += r.totals.credits;
    t.usd += r.totals.cost_usd;
    t.tokens += r.totals.text_total_tokens;
  }
  t.activeUsers = users.size;
  return t;
}

/** The change from `before` to `now` as a fraction; null when there was nothing before. */
export function change(now: number, before: number): number | null {
  return before === 0 ? null : (now - before) / before;
}

export type Breakdown = 'model' | 'surface';
export type Measure = 'text_total_tokens' | 'credits';

export interface Series {
  /** Bucket starts, Unix seconds, ascending. */
  x: number[];
  /** One line per key, biggest total first; values per bucket (not stacked). */
  lines: { key: string; values: number[]; total: number }[];
}

const DAY = 86400;

/** Every bucket start of [start, end): UTC days, or weeks from the Monday of start's week (as the API). */
export function bucketStarts(start: number, end: number, groupBy: 'day' | 'week'): number[] {
  let first = Math.floor(start / DAY) * DAY;
  if (groupBy === 'week') first -= ((new Date(first * 1000).getUTCDay() + 6) % 7) * DAY;
  const step = groupBy === 'week' ? 7 * DAY : DAY;
  const out: number[] = [];
  for (let b = first; b < end; b += step) out.push(b);
  return out;
}

/** One line per key over every bucket of the window (a bucket without rows is 0, not skipped). */
export function series(rows: UsageRow[], buckets: number[], by: Breakdown, measure: Measure): Series {
  const x = buckets;
  const at = new Map(x.map((v, i) => [v, i]));
  const lines = new Map<string, number[]>();
  for (const r of rows) {
    const parts =
      by === 'model'
        ? r.models.map((m) => [m.model, m[measure]] as const)
        : r.clients.map((c) => [c.client_id, c[measure]] as const);
    for (const [key, value] of parts) {
      let values = lines.get(key);
      if (!values) lines.set(key, (values = x.map(() => 0)));
      const i = at.get(r.start_time);
      if (i !== undefined) values[i] += value;
    }
  }
  const out = [...lines].map(([key, values]) => ({ key, values, total: values.reduce((a, b) => a + b, 0) }));
  return { x, lines: out.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key)) };
}

/** The newest bucket that holds any activity (Unix seconds), or null. */
export function newestBucket(rows: UsageRow[]): number | null {
  let newest: number | null = null;
  for (const r of rows) if (newest === null || r.start_time > newest) newest = r.start_time;
  return newest;
}

// What the overview draws, laid out from query rows (POST .../query): the window's days, every
// bucket of the chart (a bucket without rows is 0, not skipped), and one line per key. Every figure
// is one the server computed; the page only places them.
import type { Row } from './api.js';

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

/**
 * One line per key from rows of (time, key, measure), in the order and with the totals of `totals`
 * (rows of (key, measure) over the whole window, from the server).
 */
export function series(rows: Row[], totals: Row[], buckets: number[], by: Breakdown, measure: Measure): Series {
  const at = new Map(buckets.map((v, i) => [v, i]));
  const lines = totals.map((t) => ({ key: String(t[by]), values: buckets.map(() => 0), total: Number(t[measure]) }));
  const byKey = new Map(lines.map((l) => [l.key, l]));
  for (const r of rows) {
    const i = at.get(Number(r.time));
    const line = byKey.get(String(r[by]));
    if (i !== undefined && line) line.values[i] = Number(r[measure]);
  }
  return { x: buckets, lines: lines.filter((l) => l.total !== 0 || l.values.some((v) => v !== 0)) };
}

/** The newest bucket that holds any activity (Unix seconds), or null. */
export function newestBucket(rows: Row[]): number | null {
  let newest: number | null = null;
  for (const r of rows) {
    const t = Number(r.time);
    if (Number(r.credits) + Number(r.text_total_tokens) > 0 && (newest === null || t > newest)) newest = t;
  }
  return newest;
}

export const SURFACE_NAMES: Record<string, string> = {
  cli: 'CLI',
  ide: 'IDE extension',
  desktop: 'Desktop',
  cloud: 'Cloud',
  code_review: 'Code Review',
  other: 'Other',
};

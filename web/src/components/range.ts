// The date range every page shares: the last N whole UTC days (today included), daily or weekly
// buckets as the Analytics API makes them (UTC days; weeks from Monday).
export const DAY = 86400;

export const RANGES = [7, 30, 90] as const;
export type Grain = 'day' | 'week';

export interface Window {
  /** First and last UTC day, both included, as the query's date_range. */
  range: [string, string];
  /** [start, end) in Unix seconds. */
  start: number;
  end: number;
}

const isoDay = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);

/** The last `days` whole UTC days, today included, or the `days` before them (previous). */
export function windowOf(days: number, previous = false, now = Date.now() / 1000): Window {
  let end = (Math.floor(now / DAY) + 1) * DAY;
  if (previous) end -= days * DAY;
  const start = end - days * DAY;
  return { range: [isoDay(start), isoDay(end - DAY)], start, end };
}

/** Every bucket start of [start, end), as the API would return them. */
export function bucketStarts(start: number, end: number, grain: Grain): number[] {
  let first = Math.floor(start / DAY) * DAY;
  if (grain === 'week') first -= ((new Date(first * 1000).getUTCDay() + 6) % 7) * DAY;
  const step = grain === 'week' ? 7 * DAY : DAY;
  const out: number[] = [];
  for (let b = first; b < end; b += step) out.push(b);
  return out;
}

// The date range every page shares: the last N whole UTC days (today included), daily or weekly
// buckets as the Analytics API makes them (UTC days; weeks from Monday).
const DAY = 86400;

export const RANGES = [7, 30, 90] as const;
export type Grain = 'day' | 'week';

/** The window of the last `days` whole UTC days, today included: [start, end) in Unix seconds. */
export function windowOf(days: number, now = Date.now() / 1000) {
  const end = (Math.floor(now / DAY) + 1) * DAY;
  return { start: end - days * DAY, end };
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

// The date windows every page offers: the last N whole UTC days, today included.
export const DAY = 86400;
export const RANGES = [7, 30, 90] as const;

/** [start, end) in Unix seconds. */
export function windowOf(days: number, now = Date.now() / 1000) {
  const end = (Math.floor(now / DAY) + 1) * DAY;
  return { start: end - days * DAY, end };
}

/** Every bucket start of [start, end): UTC days, or weeks from the Monday of start's week (as the API). */
export function bucketStarts(start: number, end: number, groupBy: 'day' | 'week'): number[] {
  let first = Math.floor(start / DAY) * DAY;
  if (groupBy === 'week') first -= ((new Date(first * 1000).getUTCDay() + 6) % 7) * DAY;
  const step = groupBy === 'week' ? 7 * DAY : DAY;
  const out: number[] = [];
  for (let b = first; b < end; b += step) out.push(b);
  return out;
}

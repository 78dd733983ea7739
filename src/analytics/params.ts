// The Analytics API window and paging, from the query the contract parsed (analytics.contract.ts):
// the rules that need the clock or the config. Errors are 422s whose detail names the parameter,
// as OpenAI's (FastAPI-style) API does.
import { validationError } from '../core/errors.js';
import { decodeCursor, MAX_TIME_MS } from '../core/query-params.js';
import { DAY_MS, dayOf, weekOf, weekStartDay } from '../core/time.js';
import type { AnalyticsQueryInput } from './analytics.contract.js';

export type Grain = 'day' | 'week';

export interface AnalyticsQuery {
  grain: Grain;
  startBucket: number; // inclusive
  endBucket: number; // exclusive
  limit: number;
  group: string;
  cursor: Record<string, string | number> | null;
}

export interface WindowLimits {
  lookbackDays: number;
  defaultWindowDays: number;
}

export function bucketOf(grain: Grain, ms: number): number {
  return grain === 'day' ? dayOf(ms) : weekOf(ms);
}

export function bucketStartMs(grain: Grain, bucket: number): number {
  return (grain === 'day' ? bucket : weekStartDay(bucket)) * DAY_MS;
}

export function bucketEndMs(grain: Grain, bucket: number): number {
  return bucketStartMs(grain, bucket) + (grain === 'day' ? DAY_MS : 7 * DAY_MS);
}

// Cursor fields by name: what encodeCursor writes for them. A field of another type (a client that
// forged or mangled the cursor) is a 422 here, not a 500 from the query that would bind it.
const CURSOR_FIELDS: Record<string, (v: unknown) => boolean> = {
  g: (v) => v === 'day' || v === 'week',
  b: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME_MS / DAY_MS,
};

export function analyticsWindow(
  q: AnalyticsQueryInput,
  now: number,
  limits: WindowLimits,
  cursorKeys: (group: string) => string[],
): AnalyticsQuery {
  const grain = q.group_by;
  const end = q.end_time ?? now;
  const start = q.start_time ?? Math.max(0, end - limits.defaultWindowDays * DAY_MS);
  if (end <= start) throw validationError('end_time', 'must be after start_time', 'query', 'value_error.range');
  const earliestDay = dayOf(now - limits.lookbackDays * DAY_MS);
  if (dayOf(start) < earliestDay) {
    throw validationError(
      'start_time',
      `must be within the last ${limits.lookbackDays} days (lookback)`,
      'query',
      'value_error.range',
    );
  }

  const pageRaw = q.page ?? q.next_page;
  const cursor = pageRaw === undefined ? null : decodeCursor(pageRaw, ['g', ...cursorKeys(q.group)], CURSOR_FIELDS);
  if (cursor && cursor.g !== grain)
    throw validationError('page', `cursor was issued for group_by=${cursor.g}`, 'query', 'value_error.cursor');
  return {
    grain,
    startBucket: bucketOf(grain, start),
    endBucket: bucketOf(grain, end - 1) + 1,
    limit: q.limit,
    group: q.group,
    cursor,
  };
}

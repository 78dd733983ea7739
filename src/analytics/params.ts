// Query parameters shared by every Analytics API endpoint, validated into one value. Errors are
// 422s whose detail names the parameter, as OpenAI's (FastAPI-style) API does.
import { validationError } from '../core/errors.js';
import { decodeCursor, MAX_TIME_MS, parseTime } from '../core/query-params.js';
import { DAY_MS, dayOf, weekOf, weekStartDay } from '../core/time.js';

export { encodeCursor, parseTime } from '../core/query-params.js';

export type Grain = 'day' | 'week';

export interface AnalyticsQuery {
  grain: Grain;
  startBucket: number; // inclusive
  endBucket: number; // exclusive
  limit: number;
  group: string;
  cursor: Record<string, string | number> | null;
}

export interface ParamLimits {
  lookbackDays: number;
  defaultWindowDays: number;
  maxLimit: number;
  defaultLimit: number;
  groups: readonly string[];
  defaultGroup: string;
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

export function parseAnalyticsQuery(q: Record<string, unknown>, now: number, limits: ParamLimits, cursorKeys: (group: string) => string[]): AnalyticsQuery {
  const grainRaw = q.group_by ?? 'day';
  if (grainRaw !== 'day' && grainRaw !== 'week') throw validationError('group_by', "must be 'day' or 'week'", 'query', 'value_error.enum');
  const grain = grainRaw as Grain;

  const groupRaw = q.group ?? limits.defaultGroup;
  if (typeof groupRaw !== 'string' || !limits.groups.includes(groupRaw)) {
    throw validationError('group', `must be one of ${limits.groups.map((g) => `'${g}'`).join(', ')}`, 'query', 'value_error.enum');
  }

  let limit = limits.defaultLimit;
  if (q.limit !== undefined) {
    const s = String(q.limit);
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > limits.maxLimit) {
      throw validationError('limit', `must be an integer from 1 to ${limits.maxLimit}`, 'query', 'value_error.number.not_in_range');
    }
    limit = Number(s);
  }

  const end = parseTime('end_time', q.end_time) ?? now;
  const start = parseTime('start_time', q.start_time) ?? Math.max(0, end - limits.defaultWindowDays * DAY_MS);
  if (end <= start) throw validationError('end_time', 'must be after start_time', 'query', 'value_error.range');
  const earliestDay = dayOf(now - limits.lookbackDays * DAY_MS);
  if (dayOf(start) < earliestDay) {
    throw validationError('start_time', `must be within the last ${limits.lookbackDays} days (lookback)`, 'query', 'value_error.range');
  }

  const pageRaw = q.page ?? q.next_page;
  const cursor = pageRaw === undefined || pageRaw === '' ? null : decodeCursor(pageRaw, ['g', ...cursorKeys(groupRaw)], CURSOR_FIELDS);
  if (cursor && cursor.g !== grain) throw validationError('page', `cursor was issued for group_by=${cursor.g}`, 'query', 'value_error.cursor');
  return { grain, startBucket: bucketOf(grain, start), endBucket: bucketOf(grain, end - 1) + 1, limit, group: groupRaw, cursor };
}

// Query parameters shared by every Analytics API endpoint, validated into one value. Errors are
// 422s whose detail names the parameter, as OpenAI's (FastAPI-style) API does.
import { validationError } from '../core/errors.js';
import { DAY_MS, dayOf, weekOf, weekStartDay } from '../core/time.js';

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

// The last instant a JS Date holds (year 275760): larger timestamps are valid digits but no instant
// we can bucket, and in milliseconds they overflow PostgreSQL's bigint (a 500 instead of a 422).
const MAX_TIME_MS = 8.64e15;

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseTime(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw validationError(name, 'must be given once');
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const secs = Number(s);
    if (!Number.isFinite(secs) || secs < 0 || secs * 1000 > MAX_TIME_MS) {
      throw validationError(name, `must be a non-negative Unix timestamp in seconds, at most ${MAX_TIME_MS / 1000}`, 'query', 'value_error.number');
    }
    return Math.floor(secs * 1000);
  }
  if (!ISO.test(s)) throw validationError(name, 'must be Unix seconds or an ISO 8601 / RFC 3339 timestamp', 'query', 'value_error.datetime');
  // A date or time without a zone is read as UTC, as every bucket is.
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) || !s.includes(':') ? s : s + 'Z';
  const ms = Date.parse(s.length === 10 ? s + 'T00:00:00Z' : withZone.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw validationError(name, 'is not a valid timestamp', 'query', 'value_error.datetime');
  return ms;
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

export function encodeCursor(c: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

// Cursor fields by name: what encodeCursor writes for them. A field of another type (a client that
// forged or mangled the cursor) is a 422 here, not a 500 from the query that would bind it.
const CURSOR_FIELDS: Record<string, (v: unknown) => boolean> = {
  g: (v) => v === 'day' || v === 'week',
  b: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME_MS / DAY_MS,
};
const cursorString = (v: unknown) => typeof v === 'string' && v.length <= 1000 && !v.includes('\u0000');

function decodeCursor(raw: unknown, keys: string[]): Record<string, string | number> {
  try {
    const c = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8'));
    if (typeof c === 'object' && c && !Array.isArray(c) && keys.every((k) => k in c && (CURSOR_FIELDS[k] ?? cursorString)(c[k]))) return c;
  } catch {
    /* reported below */
  }
  throw validationError('page', 'is not a cursor returned as next_page by this endpoint', 'query', 'value_error.cursor');
}

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
  const cursor = pageRaw === undefined || pageRaw === '' ? null : decodeCursor(pageRaw, ['g', ...cursorKeys(groupRaw)]);
  if (cursor && cursor.g !== grain) throw validationError('page', `cursor was issued for group_by=${cursor.g}`, 'query', 'value_error.cursor');
  return { grain, startBucket: bucketOf(grain, start), endBucket: bucketOf(grain, end - 1) + 1, limit, group: groupRaw, cursor };
}

// Query parameters that several APIs and the CLI share (times and page cursors), parsed once here.
// Errors are 422s whose detail names the parameter, as OpenAI's (FastAPI-style) API does.
import { validationError } from './errors.js';

// The last instant a JS Date holds (year 275760): larger timestamps are valid digits but no instant
// we can bucket, and in milliseconds they overflow PostgreSQL's bigint (a 500 instead of a 422).
export const MAX_TIME_MS = 8.64e15;

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseTime(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw validationError(name, 'must be given once');
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const secs = Number(s);
    if (!Number.isFinite(secs) || secs < 0 || secs * 1000 > MAX_TIME_MS) {
      throw validationError(
        name,
        `must be a non-negative Unix timestamp in seconds, at most ${MAX_TIME_MS / 1000}`,
        'query',
        'value_error.number',
      );
    }
    return Math.floor(secs * 1000);
  }
  if (!ISO.test(s))
    throw validationError(
      name,
      'must be Unix seconds or an ISO 8601 / RFC 3339 timestamp',
      'query',
      'value_error.datetime',
    );
  // A date or time without a zone is read as UTC, as every bucket is.
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) || !s.includes(':') ? s : s + 'Z';
  const ms = Date.parse(s.length === 10 ? s + 'T00:00:00Z' : withZone.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw validationError(name, 'is not a valid timestamp', 'query', 'value_error.datetime');
  return ms;
}

/** A page size: digits only, 1 to `max`; `def` when absent. */
export function parseLimit(raw: unknown, def: number, max: number): number {
  if (raw === undefined || raw === '') return def;
  const s = String(raw);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) {
    throw validationError('limit', `must be an integer from 1 to ${max}`, 'query', 'value_error.number.not_in_range');
  }
  return Number(s);
}

/** A row offset from 0 to `max`, 0 when absent. */
export function parseOffset(raw: unknown, max: number): number {
  if (raw === undefined || raw === '') return 0;
  const s = String(raw);
  if (!/^\d+$/.test(s) || Number(s) > max) {
    throw validationError('offset', `must be an integer from 0 to ${max}`, 'query', 'value_error.number.not_in_range');
  }
  return Number(s);
}

export function encodeCursor(c: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const cursorString = (v: unknown) => typeof v === 'string' && v.length <= 1000 && !v.includes('\u0000');

/** A cursor this API issued, every key present and of the type `fields` (or a short string) says. */
export function decodeCursor(
  raw: unknown,
  keys: string[],
  fields: Record<string, (v: unknown) => boolean> = {},
): Record<string, string | number> {
  try {
    const c = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8'));
    if (
      typeof c === 'object' &&
      c &&
      !Array.isArray(c) &&
      keys.every((k) => k in c && (fields[k] ?? cursorString)(c[k]))
    )
      return c;
  } catch {
    /* reported below */
  }
  throw validationError(
    'page',
    'is not a cursor returned as next_page by this endpoint',
    'query',
    'value_error.cursor',
  );
}

// Query parameters several APIs share, defined once: times, page cursors, page sizes, plain
// text. Each parses with the one function in core/query-params.ts, so its error text is that one.
import { z } from 'zod';
import { parseLimit, parseOffset, parseTime } from '../../core/query-params.js';
import { parsedBy } from './contract.js';

const TIME = 'Unix seconds or RFC 3339 / ISO 8601 (a date or time without a zone is UTC)';

/** A time in epoch ms (undefined when absent): Unix seconds or RFC 3339, as parseTime accepts. */
export const timeQuery = (name: string, description: string) =>
  z
    .string()
    .optional()
    .transform(parsedBy((s) => parseTime(name, s)))
    .meta({ type: 'string', description: `${description} ${TIME}.` });

/** A page size from 1 to `max` (the one constant each API keeps), `def` when absent. */
export const limitQuery = (def: number, max: number) =>
  z
    .string()
    .optional()
    .transform(parsedBy((s) => parseLimit(s, def, max)))
    .meta({
      type: 'integer',
      minimum: 1,
      maximum: max,
      default: def,
      description: `Page size, 1 to ${max} (default ${def}).`,
    });

/** A row offset (limit/offset paging of rows sorted by a figure, where a keyset would save nothing). */
export const offsetQuery = z
  .string()
  .optional()
  .transform(parsedBy((s) => parseOffset(s, 10_000_000)))
  .meta({ type: 'integer', minimum: 0, maximum: 10_000_000, default: 0, description: 'Rows to skip (0 by default).' });

/** An opaque page cursor this API issued; the endpoint decodes it (decodeCursor) with its keys. */
export const cursorQuery = (description: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s === '' ? undefined : s))
    .meta({ type: 'string', description });

/** A text filter given at most once, without NUL (PostgreSQL text cannot hold it). */
export const textQuery = (description: string, max?: number) => {
  const s = z.string().refine((v) => !v.includes('\u0000'), { message: 'must not contain NUL characters' });
  const bounded =
    max === undefined
      ? s
      : s.refine((v) => v.length <= max, {
          message: `must be at most ${max} characters`,
          params: { type: 'value_error.any_str.max_length' },
        });
  return bounded
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .meta({ type: 'string', description, ...(max === undefined ? {} : { maxLength: max }) });
};

/** A workspace path parameter; requireAccess checks it is the caller's workspace. */
export const workspaceParams = z.object({
  workspace_id: z.string().describe("The workspace id (ws_…); must be the key's own."),
});

/** One of `values` (`def` when absent or empty); `message` is the text a wrong value gets. */
export const enumQuery = <V extends string>(
  values: readonly V[],
  def: V | undefined,
  message: string,
  description?: string,
) =>
  z
    .string()
    .optional()
    .transform((s, ctx): V | undefined => {
      if (s === undefined || s === '') return def;
      if ((values as readonly string[]).includes(s)) return s as V;
      ctx.addIssue({ code: 'custom', message, params: { type: 'value_error.enum' } });
      return z.NEVER;
    })
    .meta({
      type: 'string',
      enum: [...values],
      ...(def === undefined ? {} : { default: def }),
      ...(description ? { description } : {}),
    });

// POST .../query: the request (a Plausible-style query: metrics, dimensions, filters, date range)
// and the result shape. Every field is checked here; what needs the clock, the config or the store
// (the lookback, the team, the combinations no rollup holds) is checked in query.plan.ts.
import { z } from 'zod';
import { analyticsParams, READ_REPLICA_NOTE } from '../analytics.contract.js';
import { DIMENSIONS, METRICS, QUERY_MAX_LIMIT } from './query.model.js';

const SURFACES = ['cli', 'ide', 'desktop', 'cloud', 'code_review', 'other'] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = z.string().regex(DATE, { error: 'must be a date YYYY-MM-DD (UTC)' });
// PostgreSQL text cannot hold NUL: a filter value with one was a 500 (found by the long fuzz run,
// seed 20261617); no model, client or user id has one, so it is a 422.
const noNul = { error: 'must not contain NUL characters' };
const name = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(200)
  .refine((v) => !v.includes('\u0000'), noNul);
const names = (what: string) =>
  z.array(name).min(1, { error: 'must name at least one' }).max(1000).optional().describe(what);

const filters = z
  .strictObject({
    surface: z
      .array(z.enum(SURFACES))
      .min(1, { error: 'must name at least one' })
      .optional()
      .describe('Keep these surfaces only (cli, ide, desktop, cloud, code_review, other).'),
    client: names('Keep these clients (surfaces) only, e.g. ["codex_cli_rs"].'),
    model: names('Keep these models only.'),
    team_id: z
      .string()
      .min(1, { error: 'must not be empty' })
      .refine((v) => !v.includes('\u0000'), noNul)
      .optional()
      .describe("A team's id or name: its members' rows only."),
    user_id: names('Keep these users only.'),
  })
  .default({});

const sortable = [...METRICS, 'time', 'surface', 'client', 'model', 'user', 'team'] as const;

export const queryBody = z.strictObject({
  metrics: z
    .array(z.enum(METRICS))
    .min(1, { error: 'must name at least one metric' })
    .refine((m) => new Set(m).size === m.length, { error: 'must not repeat a metric' })
    .describe(
      'active_users: distinct people with a counted turn (service identities never count). threads: a ' +
        'thread counts once in each day (or week, with time:week) it had a turn in. credits and cost_usd ' +
        'are summed exactly (integer nano-units). current_streak: consecutive days with a turn ending on ' +
        'the last day of the range (or the day before it), within the range and up to 62 days; dimension ' +
        'user only.',
    ),
  dimensions: z
    .array(z.enum(DIMENSIONS))
    .max(3)
    .default([])
    .refine((d) => new Set(d.map((x) => x.split(':')[0])).size === d.length, {
      error: 'must not repeat a dimension',
    })
    .describe(
      'One row per combination. time:week buckets are ISO weeks (from Monday, UTC); surface groups the clients ' +
        '(CLI, IDE extension, desktop, cloud, Code Review, other).',
    ),
  filters,
  date_range: z
    .union([
      z.string().regex(/^[1-9]\d{0,3}d$/, { error: 'must be "<N>d" (the last N UTC days) or [from, to]' }),
      z.tuple([date, date]),
    ])
    .default('30d')
    .describe('"7d" (the last 7 UTC days, today included) or [from, to], both dates included.'),
  order_by: z
    .array(z.tuple([z.enum(sortable), z.enum(['asc', 'desc'])]))
    .max(6)
    .optional()
    .describe('Default: time ascending with a time dimension, else the first metric descending.'),
  limit: z.number().int().min(1).max(QUERY_MAX_LIMIT).default(1000),
  offset: z.number().int().min(0).max(10_000_000).default(0),
  include: z
    .strictObject({ total_rows: z.boolean().default(false).describe('meta.total_rows: the rows of every page.') })
    .default({ total_rows: false }),
});

const row = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export const queryRoute = {
  summary: 'One query over the usage rollups: metrics by dimensions, filtered, for a date range',
  description:
    "The dashboard's panels are queries of this one model (decisions/0033). A member sees only their " +
    "own usage and a team lead their teams' people; teams under the team floor (the larger of " +
    "analytics.min_team_size and the workspace's, admin settings) fold into team " +
    '"other" for everyone but owners. Without a user or team dimension or filter, figures are the ' +
    "workspace's (service identities' usage included, not as active users). A query by user, or for " +
    'chosen users, appends one AUDIT_LOG person_data.viewed record naming the people returned.' +
    READ_REPLICA_NOTE,
  params: analyticsParams,
  body: queryBody,
  result: z.object({
    object: z.literal('analytics.query_result'),
    query: z.object({
      metrics: z.array(z.string()),
      dimensions: z.array(z.string()),
      date_range: z.tuple([z.string(), z.string()]).describe('The days read, both included.'),
    }),
    data: z
      .array(row)
      .describe(
        'One object per row: each dimension (time as Unix seconds of the bucket start; user as user_id, with ' +
          "email when emails are shown (analytics.show_emails and the workspace's settings); team as team_id, " +
          'with team_name and ' +
          'members, its current size; "other" with the members and number of the teams it folds as teams) then ' +
          'each metric.',
      ),
    meta: z.object({
      has_more: z.boolean(),
      next_offset: z.number().nullable(),
      total_rows: z.number().optional(),
    }),
  }),
};

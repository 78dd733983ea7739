// The query every Analytics API endpoint takes (OpenAI's Codex Analytics parameters), once. The
// window rules that need the clock and the config (end after start, lookback) are in params.ts.
import { z } from 'zod';
import { cursorQuery, limitQuery, timeQuery, workspaceParams } from '../platform/http/query.contract.js';

/** The largest page any analytics endpoint returns, and the page size when none is asked for. */
export const ANALYTICS_MAX_LIMIT = 30000;
export const ANALYTICS_DEFAULT_LIMIT = 1000;

const PAGE = 'The next_page cursor of the previous page.';

export const analyticsParams = workspaceParams;

// Said in every analytics route's description (decisions/0040).
export const READ_REPLICA_NOTE =
  ' When the server reads from a replica (database_read_url), the response carries X-Steward-Replica-Lag-Ms: ' +
  'how many milliseconds the figures may trail the primary ("unknown" when the replica cannot tell). ' +
  'When the replica cannot be reached the primary answers (current figures) and the response carries ' +
  'X-Steward-Replica-Fallback: unreachable instead.';

export function analyticsQuery<G extends readonly [string, ...string[]]>(
  groups: G,
  defaultGroup: G[number],
  groupDoc: string,
) {
  return z.object({
    start_time: timeQuery(
      'start_time',
      'Selects buckets, not events: a bucket is included when it starts at or after the day (or week, ' +
        'with group_by=week; UTC, weeks from Monday) containing start_time, so the first bucket may begin ' +
        'before it. Default: 30 days before end_time.',
    ),
    end_time: timeQuery(
      'end_time',
      'Exclusive: a bucket is included when it starts before end_time (the last may end after it). Default: now.',
    ),
    group_by: z.enum(['day', 'week'], { error: "must be 'day' or 'week'" }).default('day').describe('Bucket size.'),
    group: z
      .enum(groups)
      .default(defaultGroup as never)
      .describe(groupDoc),
    limit: limitQuery(ANALYTICS_DEFAULT_LIMIT, ANALYTICS_MAX_LIMIT),
    page: cursorQuery(PAGE),
    next_page: cursorQuery(`${PAGE} An alias of page.`),
  });
}

export type AnalyticsQueryInput = z.output<ReturnType<typeof analyticsQuery>>;

/** A page of rows, as OpenAI's API pages them. */
export const pageOf = <R extends z.ZodType>(row: R) =>
  z.object({ object: z.literal('page'), data: z.array(row), has_more: z.boolean(), next_page: z.string().nullable() });

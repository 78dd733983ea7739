// GET .../exports/{usage,users,code_reviews}.{csv,json}: the window of the Analytics API (its
// start_time, end_time and group_by, with the same rules), no paging: the whole window streams.
import { z } from 'zod';
import { timeQuery } from '../platform/http/query.contract.js';
import { analyticsParams, READ_REPLICA_NOTE } from './analytics.contract.js';
import { EXPORT_COLUMNS, type ExportName } from './exports.service.js';

export const exportQuery = z.object({
  start_time: timeQuery(
    'start_time',
    'The first bucket is the one (day, or week with group_by=week) containing start_time. Default: 30 days ' +
      'before end_time; at most the analytics lookback.',
  ),
  end_time: timeQuery('end_time', 'Exclusive: buckets that start before end_time. Default: now.'),
  group_by: z.enum(['day', 'week'], { error: "must be 'day' or 'week'" }).default('day').describe('Bucket size.'),
});

const WHAT: Record<ExportName, string> = {
  usage:
    'Workspace usage: per bucket, one row per client (client_id, its surface and its active people) and one ' +
    'client_id "all" row with the distinct active people of the bucket and its totals (the group=workspace row).',
  users:
    "Usage per person: one row per bucket and user, the usage API's per-user totals. email is null unless " +
    'emails may be shown (analytics.show_emails, and the workspace settings do not turn them off). A member ' +
    "gets only their own rows, a team lead their teams'. Appends one AUDIT_LOG person_data.viewed record.",
  code_reviews:
    'Code Review details: one row per bucket and repository: reviews, comments, findings by priority (p0-p3, ' +
    'unprioritized), replies, reactions (upvotes, downvotes, other) and the comments engaged with.',
};

export function exportRoute(name: ExportName, format: 'csv' | 'json') {
  const columns = EXPORT_COLUMNS[name].join(', ');
  return {
    summary: `Export ${name.replace('_', ' ')} as ${format.toUpperCase()} (streamed)`,
    description:
      `${WHAT[name]} Columns: ${columns}. ` +
      (format === 'csv'
        ? 'CSV (RFC 4180) with a header row, sent as an attachment.'
        : 'JSON {object: "list", data: [row]}, sent as an attachment.') +
      READ_REPLICA_NOTE,
    params: analyticsParams,
    querystring: exportQuery,
  };
}

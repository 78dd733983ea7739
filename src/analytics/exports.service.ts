// The exports (decisions/0034): workspace usage by surface, usage per user, Code Review details. Each
// is a column list and an async generator of flat rows read page by page from the rollups, so the
// reply streams and memory stays at one page whatever the window. Figures are the Analytics API's
// (totalsOf, the code review counters): a row of an export equals the API's row for the same bucket.
import { surfaceOf } from '../core/clients.js';
import type { Db } from '../platform/storage/database.js';
import { serviceUserIds } from '../platform/tenancy/users.repository.js';
import { CR_COUNTERS } from '../core/code-review.js';
import { repositoryBuckets } from './code-review.repository.js';
import { nextUsageBucket, userTotalsPage, usersInWindow, workspaceClientRows } from './exports.repository.js';
import type { UserFilter } from './usage.repository.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';
import { totalsOf, type UserEmails, type UsageTotals } from './usage.service.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';

export const EXPORTS = ['usage', 'users', 'code_reviews'] as const;
export type ExportName = (typeof EXPORTS)[number];
export type ExportRow = Record<string, string | number | null>;

const TOTALS: (keyof UsageTotals)[] = [
  'threads',
  'turns',
  'model_requests',
  'credits',
  'cost_usd',
  'uncached_text_input_tokens',
  'cached_text_input_tokens',
  'text_output_tokens',
  'reasoning_output_tokens',
  'text_total_tokens',
];
const BUCKET = ['date', 'start_time', 'end_time'];

export const EXPORT_COLUMNS: Record<ExportName, readonly string[]> = {
  usage: [...BUCKET, 'client_id', 'surface', 'active_users', ...TOTALS],
  users: [...BUCKET, 'user_id', 'email', ...TOTALS],
  code_reviews: [...BUCKET, 'repository', ...CR_COUNTERS],
};

// Rows read per query: a few hundred KB at most.
const PAGE = 2_000;
const USAGE_BUCKETS = 31;

function bucketFields(q: AnalyticsQuery, bucket: number): ExportRow {
  const start = bucketStartMs(q.grain, bucket);
  return {
    date: new Date(start).toISOString().slice(0, 10),
    start_time: start / 1000,
    end_time: bucketEndMs(q.grain, bucket) / 1000,
  };
}

function totalsFields(c: UsageCounters): ExportRow {
  const t = totalsOf(c);
  const out: ExportRow = {};
  for (const k of TOTALS) out[k] = t[k];
  return out;
}

/** Per bucket: one row per client and an "all" row with the bucket's distinct active people. */
export async function* usageExport(db: Db, workspaceId: string, q: AnalyticsQuery): AsyncGenerator<ExportRow> {
  let from = q.startBucket;
  while (from < q.endBucket) {
    const first = await nextUsageBucket(db, q.grain, workspaceId, from, q.endBucket);
    if (first === null) return;
    const to = Math.min(q.endBucket, first + USAGE_BUCKETS);
    const { clients, active } = await workspaceClientRows(db, q.grain, workspaceId, first, to);
    for (const a of active) {
      const rows = clients.filter((c) => c.bucket === a.bucket);
      const all = { ...rows[0]! };
      for (const k of Object.keys(all) as (keyof UsageCounters)[])
        if (typeof all[k] === 'number') all[k] = rows.reduce((s, r) => s + r[k], 0);
      const b = bucketFields(q, a.bucket);
      yield { ...b, client_id: 'all', surface: 'all', active_users: a.active_users, ...totalsFields(all) };
      for (const r of rows)
        yield {
          ...b,
          client_id: r.client_id,
          surface: surfaceOf(r.client_id),
          active_users: r.active_users,
          ...totalsFields(r),
        };
    }
    from = to;
  }
}

export interface UsersExportScope {
  /** null: the whole workspace; otherwise only these people (a member: themselves; core/authz.ts). */
  users: readonly string[] | null;
  showEmails: boolean;
  emails: UserEmails;
}

/** Who a per-user export will show (service identities left out, decisions/0026). */
export async function usersExportFilter(db: Db, workspaceId: string, reach: readonly string[] | null) {
  const except = await serviceUserIds(db, workspaceId);
  const filter: UserFilter = reach ? { only: reach, except } : { except };
  return filter;
}

export const usersExportPeople = (db: Db, workspaceId: string, q: AnalyticsQuery, filter: UserFilter) =>
  usersInWindow(db, q.grain, workspaceId, q.startBucket, q.endBucket, filter);

/** One row per bucket and person, in (bucket, user_id) order. */
export async function* usersExport(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  filter: UserFilter,
  scope: UsersExportScope,
): AsyncGenerator<ExportRow> {
  let after: { bucket: number; userId: string } | null = null;
  for (;;) {
    const rows = await userTotalsPage(db, q.grain, workspaceId, q.startBucket, q.endBucket, after, PAGE, filter);
    if (!rows.length) return;
    const emails = scope.showEmails
      ? await scope.emails.of(db, [...new Set(rows.map((r) => r.user_id))])
      : new Map<string, string>();
    for (const r of rows)
      yield {
        ...bucketFields(q, r.bucket),
        user_id: r.user_id,
        email: emails.get(r.user_id) ?? null,
        ...totalsFields(r),
      };
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { bucket: last.bucket, userId: last.user_id };
  }
}

/** One row per bucket and repository: reviews, findings by priority, replies, reactions, responses. */
export async function* codeReviewsExport(db: Db, workspaceId: string, q: AnalyticsQuery): AsyncGenerator<ExportRow> {
  let after: { bucket: number; repository: string } | null = null;
  for (;;) {
    const rows = await repositoryBuckets(db, q.grain, workspaceId, q.startBucket, q.endBucket, after, PAGE);
    if (!rows.length) return;
    for (const r of rows) {
      const row: ExportRow = { ...bucketFields(q, r.bucket), repository: r.repository };
      for (const c of CR_COUNTERS) row[c] = Number(r[c]);
      yield row;
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { bucket: last.bucket, repository: last.repository };
  }
}

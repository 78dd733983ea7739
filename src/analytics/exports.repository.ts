// Reads for the streamed exports: keyset pages over the rollups (never raw facts), each page small,
// so an export of 90 days x 10,000 people never holds more than one page.
import { sql } from 'kysely';
import { COUNTERS } from '../core/rollups.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';
import { type UserFilter, userFilterSql } from './usage.repository.js';
import type { Grain } from './params.js';

const sums = COUNTERS.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c));

function numeric<T extends object>(r: T): T {
  const o = r as Record<string, unknown>;
  for (const k of ['bucket', 'active_users', ...COUNTERS]) if (k in o) o[k] = Number(o[k]);
  return r;
}

export type UserTotalsRow = UsageCounters & { bucket: number; user_id: string };

/** Per user and bucket, summed over clients, after (bucket, user_id), in that order. */
export async function userTotalsPage(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  after: { bucket: number; userId: string } | null,
  limit: number,
  users: UserFilter,
): Promise<UserTotalsRow[]> {
  let q = db
    .selectFrom(grain === 'day' ? 'usage_user_day' : 'usage_user_week')
    .select(['bucket', 'user_id', ...sums])
    .where('workspace_id', '=', ws)
    .where('bucket', '<', end);
  q = q.where(userFilterSql(users));
  q = after
    ? q.where((eb) => eb(eb.refTuple('bucket', 'user_id'), '>', eb.tuple(after.bucket, after.userId)))
    : q.where('bucket', '>=', start);
  const rows = await q
    .groupBy(['workspace_id', 'bucket', 'user_id'])
    .orderBy('workspace_id')
    .orderBy('bucket')
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => numeric(r as unknown as UserTotalsRow));
}

/** The people with usage in the window (who a per-user export shows), for its person_data.viewed record. */
export async function usersInWindow(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  users: UserFilter,
): Promise<string[]> {
  let q = db
    .selectFrom(grain === 'day' ? 'usage_user_day' : 'usage_user_week')
    .select('user_id')
    .distinct()
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', start)
    .where('bucket', '<', end);
  q = q.where(userFilterSql(users));
  return (await q.execute()).map((r) => r.user_id);
}

export type ClientBucketRow = UsageCounters & { bucket: number; client_id: string; active_users: number };

/** Workspace rows per bucket and client for buckets [from, to), with the active people of each. */
export async function workspaceClientRows(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  from: number,
  to: number,
): Promise<{ clients: ClientBucketRow[]; active: { bucket: number; active_users: number }[] }> {
  const usage = db
    .selectFrom(grain === 'day' ? 'usage_ws_day' : 'usage_ws_week')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .orderBy('bucket')
    .orderBy('client_id')
    .execute();
  // The active people per bucket and client, and per bucket over all clients: the counts kept
  // beside the sets (decisions/0053), rows ('', client) and ('', ''), instead of counting the sets.
  const counts = db
    .selectFrom(grain === 'day' ? 'active_user_day_count' : 'active_user_week_count')
    .select(['bucket', 'client_id', 'users'])
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .where('surface', '=', '')
    .orderBy('bucket')
    .execute();
  const [rows, people] = await Promise.all([usage, counts]);
  const activeOf = new Map(people.map((c) => [`${Number(c.bucket)}\u0000${c.client_id}`, Number(c.users)]));
  const clients = rows.map((r) =>
    numeric({ ...r, active_users: activeOf.get(`${Number(r.bucket)}\u0000${r.client_id}`) ?? 0 }),
  );
  const active = people
    .filter((c) => c.client_id === '')
    .map((c) => ({ bucket: Number(c.bucket), active_users: Number(c.users) }));
  return { clients: clients as ClientBucketRow[], active };
}

/** The first bucket with usage at or after `from` and before `to` (null: none): the export's next step. */
export async function nextUsageBucket(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  from: number,
  to: number,
): Promise<number | null> {
  const r = await db
    .selectFrom(grain === 'day' ? 'usage_ws_day' : 'usage_ws_week')
    .select('bucket')
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .orderBy('bucket')
    .limit(1)
    .executeTakeFirst();
  return r ? Number(r.bucket) : null;
}

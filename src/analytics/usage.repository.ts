// Reads for the usage API. Keyset pages walk the rollup primary keys in index order
// (workspace_id, bucket, user_id, ...) so a page costs the same on page 1 and page 500.
import { sql } from 'kysely';
import { COUNTERS } from '../core/rollups.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';
import { arrayReader } from '../platform/storage/sqlite-rows.js';

type Grain = 'day' | 'week';
export interface PageKey {
  bucket: number;
  user_id: string;
}

const userTable = (g: Grain) => (g === 'day' ? 'usage_user_day' : 'usage_user_week');
const userModelTable = (g: Grain) => (g === 'day' ? 'usage_user_model_day' : 'usage_user_model_week');
const wsTable = (g: Grain) => (g === 'day' ? 'usage_ws_day' : 'usage_ws_week');
const wsModelTable = (g: Grain) => (g === 'day' ? 'usage_ws_model_day' : 'usage_ws_model_week');

/** Which users' rows a page may hold: only these (null list: none), and never those. */
export interface UserFilter {
  only?: readonly string[];
  except?: readonly string[];
}

/** The user filter as one SQL condition, for reads that build their WHERE by hand. */
export function userFilterSql(users: UserFilter) {
  const parts = [];
  if (users.only) parts.push(users.only.length ? sql`user_id in (${sql.join(users.only)})` : sql`1 = 0`);
  if (users.except?.length) parts.push(sql`user_id not in (${sql.join(users.except)})`);
  return parts.length ? sql<boolean>`${sql.join(parts, sql` and `)}` : sql<boolean>`1 = 1`;
}

// A few people's rows over a range of buckets: the buckets as a list, so both planners probe the
// primary key once per bucket and person. As a range, the key's user_id (after bucket) cannot be
// sought: PostgreSQL scanned the whole table in parallel for one person's 30 days (167 ms against
// 3 ms as a list at 10,000 users x 90 days, EXPLAIN ANALYZE), SQLite every row of the range.
const PROBES_MAX = 4000;
function fewPeople(users: UserFilter, from: number, to: number): number[] | null {
  const n = users.only?.length ?? 0;
  if (!n || to < from || (to - from + 1) * n > PROBES_MAX) return null;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The per-user rollups keyed (workspace_id, bucket, user_id, ...): usage and skill invocations. */
export type UserRollup = 'usage_user_day' | 'usage_user_week' | 'usage_skill_day' | 'usage_skill_week';

/** The (bucket, user) keys of one page of a per-user rollup, after the cursor's key. */
export async function userPageKeys(
  db: DbOrTrx,
  table: UserRollup,
  ws: string,
  startBucket: number,
  endBucket: number,
  after: PageKey | null,
  limit: number,
  users: UserFilter = {},
): Promise<PageKey[]> {
  // A team's members (team_id), a member's own rows (core/authz.ts), and never the service
  // identities (decisions/0026): few ids each.
  let q = db
    .selectFrom(table as 'usage_user_day')
    .select(['bucket', 'user_id'])
    .where('workspace_id', '=', ws)
    .where('bucket', '<', endBucket)
    .where(userFilterSql(users));
  // With a cursor, the tuple alone is the lower bound: given a plain `bucket >=` too, SQLite seeks
  // on that and walks every row between the window start and the cursor (6 ms instead of 0.7 ms).
  const list = after && after.bucket >= startBucket ? null : fewPeople(users, startBucket, endBucket - 1);
  q = list
    ? q.where('bucket', 'in', list)
    : after && after.bucket >= startBucket
      ? q.where((eb) => eb(eb.refTuple('bucket', 'user_id'), '>', eb.tuple(after.bucket, after.user_id)))
      : q.where('bucket', '>=', startBucket);
  const rows = await q
    .groupBy(['workspace_id', 'bucket', 'user_id'])
    .orderBy('workspace_id')
    .orderBy('bucket')
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), user_id: r.user_id }));
}

export function usagePageKeys(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  startBucket: number,
  endBucket: number,
  after: { bucket: number; userId: string } | null,
  limit: number,
  users: UserFilter = {},
): Promise<PageKey[]> {
  const key = after && { bucket: after.bucket, user_id: after.userId };
  return userPageKeys(db, userTable(grain), ws, startBucket, endBucket, key, limit, users);
}

// Rows for exactly the page's keys. Pages are contiguous in (bucket, user_id) order, so a page is
// "the first bucket from the first user, whole buckets between, the last bucket up to the last user",
// read as one simple equality/range query per part. Both planners estimate those well; a two-sided
// row-value range made PostgreSQL scan the table (40 ms), a 1,000-id IN list cost it 5 ms of planning,
// and one OR of the three parts made SQLite slow on pages that cross a day (80 ms instead of 7).
export async function usageRows(db: DbOrTrx, grain: Grain, ws: string, keys: PageKey[], users: UserFilter = {}) {
  const first = keys[0];
  const last = keys[keys.length - 1];
  type Part = { bucket?: number; from?: number; to?: number; lo?: string; hi?: string };
  const parts: Part[] =
    first.bucket === last.bucket
      ? [{ bucket: first.bucket, lo: first.user_id, hi: last.user_id }]
      : [
          { bucket: first.bucket, lo: first.user_id },
          ...(last.bucket - first.bucket > 1 ? [{ from: first.bucket + 1, to: last.bucket - 1 }] : []),
          { bucket: last.bucket, hi: last.user_id },
        ];
  const arrays = arrayReader(db);
  const rowsOf = async (
    table: 'usage_user_day' | 'usage_user_week' | 'usage_user_model_day' | 'usage_user_model_week',
  ) => {
    const dim = table.includes('_model_') ? 'model' : 'client_id';
    const reads = parts.map(async (p) => {
      let q = db
        .selectFrom(table as 'usage_user_day')
        .select(['bucket', 'user_id', dim as 'client_id', ...COUNTERS])
        .where('workspace_id', '=', ws);
      const list = p.bucket === undefined ? fewPeople(users, p.from!, p.to!) : null;
      if (p.bucket !== undefined) q = q.where('bucket', '=', p.bucket);
      else if (list) q = q.where('bucket', 'in', list);
      else q = q.where('bucket', '>=', p.from!).where('bucket', '<=', p.to!);
      if (p.lo !== undefined) q = q.where('user_id', '>=', p.lo);
      if (p.hi !== undefined) q = q.where('user_id', '<=', p.hi);
      // A caller who sees only some users (a member: themselves): the whole buckets between hold others.
      if (users.only) q = q.where('user_id', 'in', users.only.length ? users.only : ['']);
      if (!arrays) return (await q.execute()).map(num) as Record<string, unknown>[];
      // SQLite: the same statement with rows as arrays (sqlite-rows.ts), made into objects of one
      // shape here: a weekly page reads ~5,000 rows, and the driver's row objects were a third of
      // its time (bench/usage.bench.ts).
      const c = q.compile();
      const rows = await arrays.all(c.sql, c.parameters as unknown[]);
      return dim === 'model'
        ? rows.map((r) => ({ model: r[2] as string, ...countersOf(r) }))
        : rows.map((r) => ({ client_id: r[2] as string, ...countersOf(r) }));
    });
    return (await Promise.all(reads)).flat();
  };
  const [clients, models] = await Promise.all([rowsOf(userTable(grain)), rowsOf(userModelTable(grain))]);
  return {
    clients: clients as unknown as (UsageCounters & { bucket: number; user_id: string; client_id: string })[],
    models: models as unknown as (UsageCounters & { bucket: number; user_id: string; model: string })[],
  };
}

export async function workspacePageBuckets(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  startBucket: number,
  endBucket: number,
  afterBucket: number | null,
  limit: number,
): Promise<number[]> {
  let q = db
    .selectFrom(wsTable(grain))
    .select('bucket')
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', startBucket)
    .where('bucket', '<', endBucket);
  if (afterBucket !== null) q = q.where('bucket', '>', afterBucket);
  const rows = await q
    .groupBy(['workspace_id', 'bucket'])
    .orderBy('workspace_id')
    .orderBy('bucket')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.bucket));
}

export async function workspaceRows(db: DbOrTrx, grain: Grain, ws: string, firstBucket: number, lastBucket: number) {
  const clients = (
    await db
      .selectFrom(wsTable(grain))
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('bucket', '>=', firstBucket)
      .where('bucket', '<=', lastBucket)
      .orderBy('bucket')
      .orderBy('client_id')
      .execute()
  ).map(num) as (UsageCounters & { bucket: number; client_id: string })[];
  const models = (
    await db
      .selectFrom(wsModelTable(grain))
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('bucket', '>=', firstBucket)
      .where('bucket', '<=', lastBucket)
      .orderBy('bucket')
      .orderBy('model')
      .execute()
  ).map(num) as unknown as (UsageCounters & { bucket: number; model: string })[];
  return { clients, models };
}

// A page row read as an array: bucket, user, client or model, then COUNTERS in order (core/rollups.ts).
function countersOf(r: unknown[]) {
  return {
    bucket: r[0] as number,
    user_id: r[1] as string,
    threads: r[3] as number,
    turns: r[4] as number,
    requests: r[5] as number,
    input_tokens: r[6] as number,
    cached_input_tokens: r[7] as number,
    output_tokens: r[8] as number,
    reasoning_tokens: r[9] as number,
    cost_nusd: r[10] as number,
    credits_n: r[11] as number,
  };
}

const NUMERIC = ['bucket', ...COUNTERS];
function num<T extends Record<string, unknown>>(r: T): T {
  for (const k of NUMERIC) if (k in r) (r as Record<string, unknown>)[k] = Number(r[k]);
  return r;
}

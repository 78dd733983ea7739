// Skill invocation rollup reads (usage_skill_{day,week}, kept by ingest: decisions/0032): keyset
// pages in primary-key order (workspace_id, bucket, user_id, ...), as the usage reads.
import type { DbOrTrx } from '../platform/storage/database.js';
import { type UserFilter, userPageKeys } from './usage.repository.js';

type Grain = 'day' | 'week';
const table = (g: Grain) => (g === 'day' ? 'usage_skill_day' : 'usage_skill_week');

export interface SkillKey {
  bucket: number;
  user_id: string;
}
export interface SkillCount {
  bucket: number;
  user_id?: string;
  skill_name: string;
  skill_scope: string;
  invocations: number;
}

const num = <T extends { bucket: unknown; invocations: unknown }>(r: T) => ({
  ...r,
  bucket: Number(r.bucket),
  invocations: Number(r.invocations),
});

/** The (bucket, user) keys of one page of per-user rows, after the cursor's key. */
export const skillPageKeys = (
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  after: SkillKey | null,
  limit: number,
  users: UserFilter,
): Promise<SkillKey[]> => userPageKeys(db, table(grain), ws, start, end, after, limit, users);

/** Every counter of the users in `keys` between its first and last bucket; the caller keeps the page's. */
export async function skillUserCounts(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  keys: readonly SkillKey[],
): Promise<Required<SkillCount>[]> {
  const rows = await db
    .selectFrom(table(grain))
    .select(['bucket', 'user_id', 'skill_name', 'skill_scope', 'invocations'])
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', keys[0]!.bucket)
    .where('bucket', '<=', keys[keys.length - 1]!.bucket)
    .where('user_id', 'in', [...new Set(keys.map((k) => k.user_id))])
    .orderBy('bucket')
    .orderBy('user_id')
    .orderBy('skill_name')
    .orderBy('skill_scope')
    .execute();
  return rows.map(num);
}

/** The buckets of one page of workspace rows, after the cursor's bucket. */
export async function skillPageBuckets(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  after: number | null,
  limit: number,
): Promise<number[]> {
  let q = db
    .selectFrom(table(grain))
    .select('bucket')
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', start)
    .where('bucket', '<', end);
  if (after !== null) q = q.where('bucket', '>', after);
  const rows = await q
    .groupBy(['workspace_id', 'bucket'])
    .orderBy('workspace_id')
    .orderBy('bucket')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.bucket));
}

/** Per bucket and skill, summed over the workspace's users (service identities included). */
export async function skillWorkspaceCounts(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  first: number,
  last: number,
): Promise<SkillCount[]> {
  const rows = await db
    .selectFrom(table(grain))
    .select((eb) => ['bucket', 'skill_name', 'skill_scope', eb.fn.sum<number>('invocations').as('invocations')])
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', first)
    .where('bucket', '<=', last)
    .groupBy(['bucket', 'skill_name', 'skill_scope'])
    .orderBy('bucket')
    .orderBy('skill_name')
    .orderBy('skill_scope')
    .execute();
  return rows.map(num);
}

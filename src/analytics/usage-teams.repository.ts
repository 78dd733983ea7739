// Team rows for GET .../usage?group=team: the per-user rollups of each team's members, summed per
// (team, bucket, client | model) in the database. A user in several teams adds to each of them;
// service identities (users.service) are in no team row, as they are in no user row.
import { sql } from 'kysely';
import { COUNTERS } from '../core/rollups.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import type { Grain } from './params.js';

type TeamRow<D extends string> = UsageCounters & { team_id: string; bucket: number } & Record<D, string>;

async function sums<D extends 'client_id' | 'model'>(
  db: DbOrTrx,
  table: 'usage_user_day' | 'usage_user_week' | 'usage_user_model_day' | 'usage_user_model_week',
  dim: D,
  ws: string,
  firstBucket: number,
  lastBucket: number,
  teamId: string | undefined,
): Promise<TeamRow<D>[]> {
  let q = db
    .selectFrom(`${table} as u` as 'usage_user_day as u')
    .innerJoin('team_members as m', (j) =>
      j.onRef('m.user_id', '=', 'u.user_id').onRef('m.workspace_id', '=', 'u.workspace_id'),
    )
    .innerJoin('users as p', 'p.id', 'u.user_id')
    .select(['m.team_id', 'u.bucket', `u.${dim}` as 'u.client_id'])
    .select(COUNTERS.map((c) => sql<number>`sum(${sql.ref(`u.${c}`)})`.as(c)))
    .where('u.workspace_id', '=', ws)
    .where('u.bucket', '>=', firstBucket)
    .where('u.bucket', '<=', lastBucket)
    .where('p.service', '=', 0);
  if (teamId !== undefined) q = q.where('m.team_id', '=', teamId);
  const rows = await q.groupBy(['m.team_id', 'u.bucket', `u.${dim}` as 'u.client_id']).execute();
  return rows.map((r) => {
    const o: Record<string, unknown> = { ...r, bucket: Number(r.bucket) };
    for (const c of COUNTERS) o[c] = Number(o[c]);
    return o as unknown as TeamRow<D>;
  });
}

export async function teamRows(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  firstBucket: number,
  lastBucket: number,
  teamId?: string,
) {
  const [clients, models] = await Promise.all([
    sums(db, grain === 'day' ? 'usage_user_day' : 'usage_user_week', 'client_id', ws, firstBucket, lastBucket, teamId),
    sums(
      db,
      grain === 'day' ? 'usage_user_model_day' : 'usage_user_model_week',
      'model',
      ws,
      firstBucket,
      lastBucket,
      teamId,
    ),
  ]);
  return { clients, models };
}

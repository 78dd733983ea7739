// Code review rollup reads for the Analytics API: keyset pages over cr_{ws,repo}_{day,week}, which the
// code-review capability keeps (code-review/rollups.repository.ts).
import { sql } from 'kysely';
import type { CrRepoBucketTable, CrWsBucketTable } from '../code-review/code-review.tables.js';
import { CR_COUNTERS } from '../core/code-review.js';
import type { DbOrTrx } from '../platform/storage/database.js';

type Grain = 'day' | 'week';
const nonEmpty = sql<boolean>`(pull_request_reviews > 0 or comments > 0)`;

function numeric<T extends object>(r: T): T {
  for (const k of ['bucket', ...CR_COUNTERS])
    if (k in r) (r as Record<string, unknown>)[k] = Number((r as Record<string, unknown>)[k]);
  return r;
}

// Workspace rows: one per bucket, in bucket order, after the cursor's bucket.
export async function workspaceBuckets(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  after: number | null,
  limit: number,
): Promise<CrWsBucketTable[]> {
  let q = db
    .selectFrom(grain === 'day' ? 'cr_ws_day' : 'cr_ws_week')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', start)
    .where('bucket', '<', end)
    .where(nonEmpty);
  if (after !== null) q = q.where('bucket', '>', after);
  return (await q.orderBy('bucket').limit(limit).execute()).map(numeric);
}

// Repository rows: one per (bucket, repository), keyset-paged in primary-key order.
export async function repositoryBuckets(
  db: DbOrTrx,
  grain: Grain,
  ws: string,
  start: number,
  end: number,
  after: { bucket: number; repository: string } | null,
  limit: number,
): Promise<CrRepoBucketTable[]> {
  let q = db
    .selectFrom(grain === 'day' ? 'cr_repo_day' : 'cr_repo_week')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', start)
    .where('bucket', '<', end)
    .where(nonEmpty);
  if (after)
    q = q.where((eb) => eb(eb.refTuple('bucket', 'repository'), '>', eb.tuple(after.bucket, after.repository)));
  return (await q.orderBy('bucket').orderBy('repository').limit(limit).execute()).map(numeric);
}

// A page of whole buckets (limit counts buckets), for the rows made per bucket (workspace and team
// rows): the buckets of the window past the cursor, and the cursor of the next page.
import type { Db } from '../platform/storage/database.js';
import { encodeCursor } from '../core/query-params.js';
import type { AnalyticsQuery } from './params.js';
import { workspacePageBuckets } from './usage.repository.js';

export async function bucketPage(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
): Promise<{ buckets: number[]; nextPage: string | null }> {
  const found = await workspacePageBuckets(
    db,
    q.grain,
    workspaceId,
    q.startBucket,
    q.endBucket,
    q.cursor ? Number(q.cursor.b) : null,
    q.limit + 1,
  );
  const buckets = found.slice(0, q.limit);
  const more = found.length > q.limit;
  return { buckets, nextPage: more ? encodeCursor({ g: q.grain, b: buckets[buckets.length - 1] }) : null };
}

// GET .../code_reviews and .../code_review_responses: one row per bucket (group=workspace, the
// default) or per bucket and repository (group=repository), read from the rollups only.
import type { CrCounters } from '../core/code-review.js';
import type { Db } from '../platform/storage/database.js';
import { repositoryBuckets, workspaceBuckets } from './code-review.repository.js';
import { encodeCursor } from '../core/query-params.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';
import type { Page } from './usage.service.js';

export const CODE_REVIEW_GROUPS = ['workspace', 'repository'] as const;
export const codeReviewCursorKeys = (group: string) => (group === 'repository' ? ['b', 'r'] : ['b']);

type Row = CrCounters & { bucket: number; repository?: string };

// The rows of OpenAI's Codex Analytics API (docs/spec/api-compat.md); p3 and unprioritized are additions.
function codeReviewsRow(r: Row) {
  return {
    pull_request_reviews: r.pull_request_reviews,
    comments: r.comments,
    comment_details: { p0: r.p0, p1: r.p1, p2: r.p2, p3: r.p3, unprioritized: r.unprioritized },
  };
}

function responsesRow(r: Row) {
  return {
    pull_request_reviews: r.pull_request_reviews,
    comments: r.comments,
    replies: r.replies,
    reactions: r.reactions,
    reaction_details: { upvotes: r.upvotes, downvotes: r.downvotes, other: r.other_reactions },
    comment_response_details: {
      engaged: r.engaged,
      reacted: r.reacted,
      upvoted: r.upvoted,
      downvoted: r.downvoted,
      reacted_other: r.reacted_other,
      replied: r.replied,
    },
  };
}

async function page(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  shape: (r: Row) => Record<string, unknown>,
): Promise<Page<Record<string, unknown>>> {
  const byRepo = q.group === 'repository';
  const rows: Row[] = byRepo
    ? await repositoryBuckets(
        db,
        q.grain,
        workspaceId,
        q.startBucket,
        q.endBucket,
        q.cursor ? { bucket: Number(q.cursor.b), repository: String(q.cursor.r) } : null,
        q.limit + 1,
      )
    : await workspaceBuckets(
        db,
        q.grain,
        workspaceId,
        q.startBucket,
        q.endBucket,
        q.cursor ? Number(q.cursor.b) : null,
        q.limit + 1,
      );
  const hasMore = rows.length > q.limit;
  const data = rows.slice(0, q.limit);
  const last = data[data.length - 1];
  return {
    object: 'page',
    data: data.map((r) => ({
      start_time: bucketStartMs(q.grain, r.bucket) / 1000,
      end_time: bucketEndMs(q.grain, r.bucket) / 1000,
      ...(byRepo ? { repository: r.repository } : {}),
      ...shape(r),
    })),
    has_more: hasMore,
    next_page: hasMore
      ? encodeCursor(byRepo ? { g: q.grain, b: last.bucket, r: last.repository! } : { g: q.grain, b: last.bucket })
      : null,
  };
}

export const codeReviewsPage = (db: Db, workspaceId: string, q: AnalyticsQuery) =>
  page(db, workspaceId, q, codeReviewsRow);
export const codeReviewResponsesPage = (db: Db, workspaceId: string, q: AnalyticsQuery) =>
  page(db, workspaceId, q, responsesRow);

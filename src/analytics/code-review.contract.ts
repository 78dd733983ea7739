// GET .../code_reviews and .../code_review_responses: the request and the row shapes of OpenAI's
// API (plus p3, unprioritized and, with group=repository, repository). The response schemas are
// compiled into serializers.
import { z } from 'zod';
import { analyticsParams, analyticsQuery, pageOf, READ_REPLICA_NOTE } from './analytics.contract.js';
import { CODE_REVIEW_GROUPS } from './code-review.service.js';

const n = z.number();
const bucket = {
  start_time: n.describe('Bucket start, Unix seconds.'),
  end_time: n.describe('Bucket end (exclusive), Unix seconds.'),
  repository: z.string().optional().describe('group=repository only.'),
};
const query = analyticsQuery(
  CODE_REVIEW_GROUPS,
  'workspace',
  'One row per bucket (workspace) or per bucket and repository.',
);

export const codeReviewsRoute = {
  summary: 'Codex Code Review activity per bucket (group=workspace) or per bucket and repository (group=repository)',
  description: `Comments are bucketed by their creation time.` + READ_REPLICA_NOTE,
  params: analyticsParams,
  querystring: query,
  page: pageOf(
    z.object({
      ...bucket,
      pull_request_reviews: n,
      comments: n,
      comment_details: z.object({
        p0: n,
        p1: n,
        p2: n,
        p3: n.describe('A Steward addition.'),
        unprioritized: n.describe('A Steward addition.'),
      }),
    }),
  ),
};

export const codeReviewResponsesRoute = {
  summary:
    'Responses to Codex review comments (replies, reactions, engagement) per bucket or per bucket and repository',
  description:
    `comment_response_details counts distinct comments with that response, in the bucket of the comment. ` +
    'Reactions are polled from GitHub; a removed reaction is subtracted.',
  params: analyticsParams,
  querystring: query,
  page: pageOf(
    z.object({
      ...bucket,
      pull_request_reviews: n,
      comments: n,
      replies: n,
      reactions: n,
      reaction_details: z.object({ upvotes: n, downvotes: n, other: n }),
      comment_response_details: z.object({
        engaged: n,
        reacted: n,
        upvoted: n,
        downvoted: n,
        reacted_other: n,
        replied: n,
      }),
    }),
  ),
};

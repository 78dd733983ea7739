// Response schemas for the code review endpoints: Fastify compiles them into serializers, and they
// pin the row shapes of OpenAI's API (plus p3, unprioritized and, with group=repository, repository).
const n = { type: 'number' } as const;
const bucket = { start_time: n, end_time: n, repository: { type: 'string' } };

const page = (row: Record<string, unknown>) => ({
  type: 'object',
  properties: {
    object: { type: 'string' },
    data: { type: 'array', items: { type: 'object', properties: { ...bucket, ...row } } },
    has_more: { type: 'boolean' },
    next_page: { type: ['string', 'null'] },
  },
});

export const codeReviewsPageSchema = page({
  pull_request_reviews: n,
  comments: n,
  comment_details: { type: 'object', properties: { p0: n, p1: n, p2: n, p3: n, unprioritized: n } },
});

export const codeReviewResponsesPageSchema = page({
  pull_request_reviews: n,
  comments: n,
  replies: n,
  reactions: n,
  reaction_details: { type: 'object', properties: { upvotes: n, downvotes: n, other: n } },
  comment_response_details: { type: 'object', properties: { engaged: n, reacted: n, upvoted: n, downvoted: n, reacted_other: n, replied: n } },
});

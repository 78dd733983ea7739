// The parts of GitHub webhook payloads that Steward reads, validated with zod. Unknown fields are
// ignored (GitHub adds fields over time); missing required ones are reported with their path.
import { z } from 'zod';

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const time = z.string().min(1);

export const ghUser = z.object({
  login: z.string().min(1),
  id: z.number().int().optional(),
  type: z.string().optional(),
  email: z.string().nullish(),
});

const repository = z.object({ full_name: z.string().min(1) });

const pullRequest = z.object({
  number: z.number().int(),
  state: z.string().optional(),
  merged: z.boolean().nullish(),
  created_at: time.nullish(),
  updated_at: time.nullish(),
  closed_at: time.nullish(),
  merged_at: time.nullish(),
});

export const pullRequestReviewEvent = z.object({
  action: z.string(),
  review: z.object({
    id,
    user: ghUser.nullable(),
    body: z.string().nullish(),
    state: z.string().optional(),
    submitted_at: time.nullish(),
  }),
  pull_request: pullRequest,
  repository,
});

export const pullRequestReviewCommentEvent = z.object({
  action: z.string(),
  comment: z.object({
    id,
    user: ghUser.nullable(),
    body: z.string().nullish(),
    pull_request_review_id: id.nullish(),
    in_reply_to_id: id.nullish(),
    created_at: time,
    updated_at: time.nullish(),
  }),
  pull_request: pullRequest,
  repository,
});

export const issueCommentEvent = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int(), pull_request: z.object({}).passthrough().nullish() }),
  comment: z.object({
    id,
    user: ghUser.nullable(),
    body: z.string().nullish(),
    created_at: time,
    updated_at: time.nullish(),
  }),
  repository,
});

export const pullRequestEvent = z.object({
  action: z.string(),
  number: z.number().int().optional(),
  pull_request: pullRequest,
  repository,
});

export const pingEvent = z.object({ zen: z.string().optional(), hook_id: z.number().optional() });

// A reaction as listed by GET .../comments/{id}/reactions.
export const ghReaction = z.object({
  id,
  content: z.string().min(1),
  user: ghUser.nullable(),
  created_at: time.nullish(),
});
export const ghReactionList = z.array(ghReaction);

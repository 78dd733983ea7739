// POST /v1/ingest/code_review_events: code review facts from any code host (GitLab, Bitbucket,
// Gerrit, a CI job...). One envelope with a host name and a list of events; each event is checked
// on its own so that one bad event is reported without dropping the rest.
import { z } from 'zod';

const id = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);
// Unix seconds or ISO 8601 / RFC 3339 (with a zone, or read as UTC).
const time = z.union([z.number(), z.string()]).transform((v, ctx) => {
  let ms = NaN;
  if (typeof v === 'number') ms = v >= 0 ? Math.floor(v * 1000) : NaN;
  else {
    const s = v.trim();
    ms = /^\d+(\.\d+)?$/.test(s)
      ? Math.floor(Number(s) * 1000)
      : Date.parse(/\d{2}:\d{2}/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s + 'Z' : s);
  }
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be Unix seconds or an ISO 8601 timestamp' });
    return z.NEVER;
  }
  return ms;
});
const person = z
  .object({ login: z.string().min(1).max(200).optional(), email: z.string().email().max(320).optional() })
  .strict();
const repository = z.string().min(1).max(300);
const pr = z.union([z.string().min(1).max(100), z.number().int()]).transform(String);

export const reviewEvent = z
  .object({
    type: z.literal('review'),
    id,
    repository,
    pull_request: pr,
    author: person.default({}),
    bot: z.boolean().optional(),
    created_at: time,
    deleted: z.boolean().default(false),
  })
  .strict();

export const commentEvent = z
  .object({
    type: z.literal('comment'),
    id,
    repository,
    pull_request: pr,
    author: person.default({}),
    bot: z.boolean().optional(), // default: true when author.login is a configured bot login
    body: z.string().max(1_000_000).optional(),
    priority: z
      .union([z.number().int().min(0).max(3), z.enum(['P0', 'P1', 'P2', 'P3', 'p0', 'p1', 'p2', 'p3']), z.null()])
      .optional(),
    review_id: id.optional(),
    in_reply_to: id.optional(), // the id of the comment this one answers
    thread_id: id.optional(), // or the discussion thread it belongs to
    created_at: time,
    updated_at: time.optional(),
    deleted: z.boolean().default(false),
  })
  .strict();

export const reactionEvent = z
  .object({
    type: z.literal('reaction'),
    comment_id: id,
    id: id.optional(), // default: user + content, so one person's "+1" counts once
    content: z.string().min(1).max(64), // GitHub names: +1, -1, laugh, confused, heart, hooray, rocket, eyes
    user: person.default({}),
    created_at: time.optional(),
    removed: z.boolean().default(false),
  })
  .strict();

export const pullRequestEvent = z
  .object({
    type: z.literal('pull_request'),
    repository,
    number: pr,
    action: z.enum(['opened', 'closed', 'merged', 'reopened']),
    at: time,
  })
  .strict();

export const codeReviewEvent = z.discriminatedUnion('type', [
  reviewEvent,
  commentEvent,
  reactionEvent,
  pullRequestEvent,
]);
export type CodeReviewEvent = z.infer<typeof codeReviewEvent>;

export const envelope = z
  .object({
    host: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'must be a short name such as "gitlab" (letters, digits, . _ -)')
      .refine(
        (h) => h.toLowerCase() !== 'github',
        'is reserved for the GitHub webhook; name your host differently (e.g. "github-import")',
      )
      .default('custom'),
    events: z.array(z.unknown()).min(1).max(10_000),
  })
  .strict();

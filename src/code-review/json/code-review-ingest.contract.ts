// POST /v1/ingest/code_review_events: code review facts from code hosts other than GitHub. Each
// event is checked by the use-case (schema.ts), which stores the valid ones and lists the rest in
// rejected[]: the body schema documents the shape and is not a gate on the whole batch.
import { z } from 'zod';
import { described, errorResponse, handlerParsed } from '../../platform/http/contract.js';

const EXAMPLE = {
  host: 'gitlab',
  events: [
    {
      type: 'review',
      id: 1,
      repository: 'acme/api',
      pull_request: 7,
      author: { login: 'codex-bot' },
      bot: true,
      created_at: '2026-01-05T10:00:00Z',
    },
    {
      type: 'comment',
      id: 11,
      repository: 'acme/api',
      pull_request: 7,
      review_id: 1,
      author: { login: 'codex-bot' },
      bot: true,
      priority: 'P1',
      created_at: '2026-01-05T10:00:00Z',
    },
    {
      type: 'comment',
      id: 12,
      repository: 'acme/api',
      pull_request: 7,
      author: { login: 'alice', email: 'alice@example.com' },
      in_reply_to: 11,
      created_at: '2026-01-05T11:00:00Z',
    },
    { type: 'reaction', comment_id: 11, content: '+1', user: { login: 'alice' } },
    { type: 'pull_request', repository: 'acme/api', number: 7, action: 'merged', at: '2026-01-06T09:00:00Z' },
  ],
};

const event = z
  .object({ type: z.enum(['review', 'comment', 'reaction', 'pull_request']) })
  .loose()
  .describe('Fields by type: see src/code-review/json/schema.ts. Times are Unix seconds or ISO 8601.');

export const codeReviewEventsRoute = {
  summary:
    'Code review facts from other code hosts: reviews, comments (priority, replies), reactions, pull request state',
  description: 'Idempotent on ids; invalid events are listed in rejected[] and the rest are stored.',
  body: handlerParsed(
    z
      .object({ host: z.string().default('custom').describe('The code host (not "github").'), events: z.array(event) })
      .meta({ examples: [EXAMPLE] }),
  ),
  response: { 200: described('{accepted, rejected[{index, reason}], applied}'), 415: errorResponse('Not JSON') },
};

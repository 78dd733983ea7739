// GitHub webhook payload -> code review facts. Pure: the receiver verifies and parses, the service
// stores. What is a Codex finding, a review, a reply or noise is decided here:
// - pull_request_review by a bot login: a review (submitted, edited and dismissed all upsert it).
// - pull_request_review_comment by a bot, not itself a reply: an inline finding, priority from its body.
//   By anyone else with in_reply_to_id: a reply (GitHub points in_reply_to_id at the thread's first
//   comment, so "same review thread" and "in reply to" are the same key).
// - issue_comment on a pull request by a bot: a review summary when headed "Codex Review", a finding
//   when it carries a priority badge, otherwise ignored (e.g. answers to @codex requests).
// - pull_request opened/closed/reopened (closed with merged=true is "merged").
import type { z } from 'zod';
import {
  commentKey,
  isBotLogin,
  pullRequestKey,
  reviewKey,
  type CodeReviewFact,
  type Person,
} from '../../core/code-review.js';
import { priorityFromBody } from './priority.js';
import {
  issueCommentEvent,
  pingEvent,
  pullRequestEvent,
  pullRequestReviewCommentEvent,
  pullRequestReviewEvent,
} from './schema.js';

export const HOST = 'github';
export const HANDLED_EVENTS = [
  'ping',
  'pull_request_review',
  'pull_request_review_comment',
  'issue_comment',
  'pull_request',
] as const;

export type Normalized =
  | { kind: 'ping'; zen?: string; hookId?: number }
  | { kind: 'facts'; facts: CodeReviewFact[]; action: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

export interface NormalizeOptions {
  botLogins: readonly string[];
  now: number; // used only when GitHub sends no timestamp (a review without submitted_at)
}

const SUMMARY = /codex review/i;

function parse<S extends z.ZodType>(
  schema: S,
  payload: unknown,
): { ok: true; value: z.infer<S> } | { ok: false; reason: string } {
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0];
  return { ok: false, reason: `payload.${i.path.join('.') || '(root)'}: ${i.message}` };
}

function ms(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

// Only the login: the email GitHub puts in payloads is the user's self-declared public profile email,
// not a verified one, so it must not pick a Steward user (anyone could claim a colleague's address).
const person = (u: { login: string } | null): Person => (u ? { login: u.login } : {});

export function normalizeGithubEvent(event: string, payload: unknown, opts: NormalizeOptions): Normalized {
  if (event === 'ping') {
    const p = parse(pingEvent, payload);
    return p.ok ? { kind: 'ping', zen: p.value.zen, hookId: p.value.hook_id } : { kind: 'invalid', reason: p.reason };
  }
  if (!(HANDLED_EVENTS as readonly string[]).includes(event))
    return { kind: 'ignored', reason: `event "${event}" is not used by Steward` };
  switch (event) {
    case 'pull_request_review':
      return review(payload, opts);
    case 'pull_request_review_comment':
      return reviewComment(payload, opts);
    case 'issue_comment':
      return issueComment(payload, opts);
    default:
      return pullRequest(payload);
  }
}

function review(payload: unknown, opts: NormalizeOptions): Normalized {
  const p = parse(pullRequestReviewEvent, payload);
  if (!p.ok) return { kind: 'invalid', reason: p.reason };
  const { action, review: r, pull_request: pr, repository } = p.value;
  if (!['submitted', 'edited', 'dismissed'].includes(action))
    return { kind: 'ignored', reason: `pull_request_review action "${action}" is not used` };
  if (!isBotLogin(r.user?.login, opts.botLogins))
    return { kind: 'ignored', reason: 'review is not by a configured review bot' };
  const ts = ms(r.submitted_at) ?? opts.now;
  return {
    kind: 'facts',
    action,
    facts: [
      {
        kind: 'review',
        key: reviewKey(HOST, r.id),
        host: HOST,
        repository: repository.full_name,
        pullRequest: String(pr.number),
        author: person(r.user),
        ts,
        deleted: false,
      },
    ],
  };
}

function reviewComment(payload: unknown, opts: NormalizeOptions): Normalized {
  const p = parse(pullRequestReviewCommentEvent, payload);
  if (!p.ok) return { kind: 'invalid', reason: p.reason };
  const { action, comment: c, pull_request: pr, repository } = p.value;
  if (!['created', 'edited', 'deleted'].includes(action))
    return { kind: 'ignored', reason: `pull_request_review_comment action "${action}" is not used` };
  const bot = isBotLogin(c.user?.login, opts.botLogins);
  const replyTo = c.in_reply_to_id ? commentKey(HOST, 'inline', c.in_reply_to_id) : undefined;
  if (bot && replyTo) return { kind: 'ignored', reason: 'a bot answer inside a thread is not a finding' };
  if (!bot && !replyTo) return { kind: 'ignored', reason: 'comment is neither by a review bot nor a reply to one' };
  const ts = ms(c.created_at);
  if (ts === undefined) return { kind: 'invalid', reason: 'payload.comment.created_at: not a timestamp' };
  const key = commentKey(HOST, 'inline', c.id);
  return {
    kind: 'facts',
    action,
    facts: [
      {
        kind: 'comment',
        key,
        commentType: 'inline',
        externalId: c.id,
        host: HOST,
        repository: repository.full_name,
        pullRequest: String(pr.number),
        author: person(c.user),
        bot,
        priority: bot ? priorityFromBody(c.body) : null,
        reviewKey: c.pull_request_review_id ? reviewKey(HOST, c.pull_request_review_id) : undefined,
        inReplyToKey: replyTo,
        threadKey: bot ? key : undefined,
        ts,
        updatedAt: ms(c.updated_at) ?? ts,
        deleted: action === 'deleted',
      },
    ],
  };
}

function issueComment(payload: unknown, opts: NormalizeOptions): Normalized {
  const p = parse(issueCommentEvent, payload);
  if (!p.ok) return { kind: 'invalid', reason: p.reason };
  const { action, issue, comment: c, repository } = p.value;
  if (!['created', 'edited', 'deleted'].includes(action))
    return { kind: 'ignored', reason: `issue_comment action "${action}" is not used` };
  if (!issue.pull_request) return { kind: 'ignored', reason: 'comment is on an issue, not a pull request' };
  if (!isBotLogin(c.user?.login, opts.botLogins))
    return { kind: 'ignored', reason: 'conversation comment is not by a review bot (GitHub gives it no reply link)' };
  const ts = ms(c.created_at);
  if (ts === undefined) return { kind: 'invalid', reason: 'payload.comment.created_at: not a timestamp' };
  const base = { host: HOST, repository: repository.full_name, pullRequest: String(issue.number) };
  if (SUMMARY.test(c.body ?? '')) {
    return {
      kind: 'facts',
      action,
      facts: [
        {
          kind: 'review',
          key: reviewKey(HOST, `issue-${c.id}`),
          ...base,
          author: person(c.user),
          ts,
          deleted: action === 'deleted',
        },
      ],
    };
  }
  const priority = priorityFromBody(c.body);
  if (priority === null)
    return {
      kind: 'ignored',
      reason: 'bot conversation comment is neither a review summary nor a prioritized finding',
    };
  const key = commentKey(HOST, 'issue', c.id);
  return {
    kind: 'facts',
    action,
    facts: [
      {
        kind: 'comment',
        key,
        commentType: 'issue',
        externalId: c.id,
        ...base,
        author: person(c.user),
        bot: true,
        priority,
        threadKey: key,
        ts,
        updatedAt: ms(c.updated_at) ?? ts,
        deleted: action === 'deleted',
      },
    ],
  };
}

function pullRequest(payload: unknown): Normalized {
  const p = parse(pullRequestEvent, payload);
  if (!p.ok) return { kind: 'invalid', reason: p.reason };
  const { action, pull_request: pr, repository } = p.value;
  let act: 'opened' | 'closed' | 'merged' | 'reopened';
  if (action === 'opened' || action === 'reopened') act = action;
  else if (action === 'closed' || action === 'merged')
    act = action === 'merged' || pr.merged || pr.merged_at ? 'merged' : 'closed';
  else return { kind: 'ignored', reason: `pull_request action "${action}" is not used` };
  const ts =
    (act === 'merged'
      ? ms(pr.merged_at)
      : act === 'closed'
        ? ms(pr.closed_at)
        : act === 'opened'
          ? ms(pr.created_at)
          : ms(pr.updated_at)) ??
    ms(pr.updated_at) ??
    0;
  return {
    kind: 'facts',
    action,
    facts: [
      {
        kind: 'pull_request',
        key: pullRequestKey(HOST, repository.full_name, pr.number),
        host: HOST,
        repository: repository.full_name,
        pullRequest: String(pr.number),
        action: act,
        ts,
      },
    ],
  };
}

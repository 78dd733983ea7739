// Generic code review events -> facts. Ids are namespaced by the envelope's host, so two hosts
// never collide. A comment is a bot finding when `bot` says so (or its author is a configured bot
// login); other comments count only as replies (in_reply_to or thread_id naming a bot comment).
import {
  commentKey,
  isBotLogin,
  pullRequestKey,
  reviewKey,
  type CodeReviewFact,
  type Priority,
} from '../../core/code-review.js';
import { priorityFromBody, priorityFromValue } from '../github/priority.js';
import { codeReviewEvent, type CodeReviewEvent } from './schema.js';

export interface Rejected {
  index: number;
  reason: string;
}

export function normalizeEvents(
  host: string,
  events: unknown[],
  opts: { botLogins: readonly string[]; now: number },
): { facts: CodeReviewFact[]; rejected: Rejected[] } {
  const facts: CodeReviewFact[] = [];
  const rejected: Rejected[] = [];
  events.forEach((raw, index) => {
    const r = codeReviewEvent.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      rejected.push({ index, reason: `events[${index}]${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}` });
      return;
    }
    const f = toFact(host, r.data, opts);
    if (typeof f === 'string') rejected.push({ index, reason: `events[${index}]: ${f}` });
    else facts.push(f);
  });
  return { facts, rejected };
}

function toFact(
  host: string,
  e: CodeReviewEvent,
  opts: { botLogins: readonly string[]; now: number },
): CodeReviewFact | string {
  switch (e.type) {
    case 'review':
      if (!(e.bot ?? isBotLogin(e.author.login, opts.botLogins)))
        return 'review is not by a review bot (set "bot": true or use a configured bot login)';
      return {
        kind: 'review',
        key: reviewKey(host, e.id),
        host,
        repository: e.repository,
        pullRequest: e.pull_request,
        author: e.author,
        ts: e.created_at,
        deleted: e.deleted,
      };
    case 'comment': {
      const bot = e.bot ?? isBotLogin(e.author.login, opts.botLogins);
      const key = commentKey(host, 'general', e.id);
      if (!bot && !e.in_reply_to && !e.thread_id)
        return 'comment is neither by a review bot nor a reply (give in_reply_to or thread_id)';
      const priority: Priority | null =
        e.priority !== undefined ? priorityFromValue(e.priority) : priorityFromBody(e.body);
      return {
        kind: 'comment',
        key,
        commentType: 'general',
        externalId: e.id,
        host,
        repository: e.repository,
        pullRequest: e.pull_request,
        author: e.author,
        bot,
        priority: bot ? priority : null,
        reviewKey: e.review_id ? reviewKey(host, e.review_id) : undefined,
        inReplyToKey: e.in_reply_to ? commentKey(host, 'general', e.in_reply_to) : undefined,
        threadKey: e.thread_id ? `${host}:thread:${e.thread_id}` : bot ? key : undefined,
        ts: e.created_at,
        updatedAt: e.updated_at ?? e.created_at,
        deleted: e.deleted,
      };
    }
    case 'reaction': {
      const who = e.user.login ?? e.user.email;
      if (!e.id && !who) return 'a reaction needs an id or a user (login or email)';
      return {
        kind: 'reaction',
        commentKey: commentKey(host, 'general', e.comment_id),
        key: e.id ?? `${who!.toLowerCase()}:${e.content}`,
        content: e.content,
        user: e.user,
        ts: e.created_at ?? opts.now,
        removed: e.removed,
      };
    }
    case 'pull_request':
      return {
        kind: 'pull_request',
        key: pullRequestKey(host, e.repository, e.number),
        host,
        repository: e.repository,
        pullRequest: e.number,
        action: e.action,
        ts: e.at,
      };
  }
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { normalizeEvents } from './normalize.js';
import { envelope } from './schema.js';

const opts = { botLogins: ['codex-bot'], now: 1_700_000_000_000 };

it('maps reviews, findings, replies, reactions and PR state with host-namespaced keys', () => {
  const { facts, rejected } = normalizeEvents(
    'gitlab',
    [
      {
        type: 'review',
        id: 1,
        repository: 'a/b',
        pull_request: 3,
        author: { login: 'codex-bot' },
        created_at: 1_700_000_000,
      },
      {
        type: 'comment',
        id: 2,
        repository: 'a/b',
        pull_request: 3,
        author: { login: 'codex-bot' },
        body: '![P0 Badge](https://img.shields.io/badge/P0-red)',
        created_at: '2023-11-14T22:13:20Z',
      },
      {
        type: 'comment',
        id: 3,
        repository: 'a/b',
        pull_request: 3,
        bot: true,
        priority: 'P2',
        body: '[P0] ignored: the field wins',
        created_at: '2023-11-14 22:13:20',
      },
      {
        type: 'comment',
        id: 4,
        repository: 'a/b',
        pull_request: 3,
        author: { email: 'x@example.com' },
        in_reply_to: 2,
        created_at: 1_700_000_100,
      },
      { type: 'reaction', comment_id: 2, content: '+1', user: { login: 'Ann' } },
      { type: 'pull_request', repository: 'a/b', number: 3, action: 'merged', at: 1_700_000_500 },
    ],
    opts,
  );
  assert.deepEqual(rejected, []);
  assert.deepEqual(
    facts.map((f) => [f.kind, 'key' in f ? f.key : '']),
    [
      ['review', 'gitlab:review:1'],
      ['comment', 'gitlab:c:2'],
      ['comment', 'gitlab:c:3'],
      ['comment', 'gitlab:c:4'],
      ['reaction', 'ann:+1'],
      ['pull_request', 'gitlab:a/b#3'],
    ],
  );
  const [review, c2, c3, reply, reaction] = facts as any[];
  assert.equal(review.ts, 1_700_000_000_000);
  assert.equal(c2.priority, 0);
  assert.equal(c2.ts, 1_700_000_000_000);
  assert.equal(c3.priority, 2);
  assert.equal(c3.ts, 1_700_000_000_000); // no zone: read as UTC
  assert.equal(reply.bot, false);
  assert.equal(reply.inReplyToKey, 'gitlab:c:2');
  assert.equal(reaction.commentKey, 'gitlab:c:2');
  assert.equal(reaction.ts, opts.now);
});

it('rejects each bad event by index with the field and reason, keeping the good ones', () => {
  const { facts, rejected } = normalizeEvents(
    'h',
    [
      { type: 'review', id: 1, repository: 'a/b', pull_request: 1, author: { login: 'person' }, created_at: 1 },
      { type: 'comment', id: 2, repository: 'a/b', pull_request: 1, created_at: 'soon' },
      { type: 'comment', id: 3, repository: 'a/b', pull_request: 1, author: { login: 'person' }, created_at: 1 },
      { type: 'comment', id: 4, repository: 'a/b', pull_request: 1, bot: true, created_at: 1, extra: true },
      { type: 'reaction', comment_id: 4, content: 'heart', user: { login: 'z' } },
    ],
    opts,
  );
  assert.equal(facts.length, 1);
  assert.deepEqual(
    rejected.map((r) => r.index),
    [0, 1, 2, 3],
  );
  assert.match(rejected[0].reason, /^events\[0\]: review is not by a review bot/);
  assert.match(rejected[1].reason, /^events\[1\]\.created_at: must be Unix seconds or an ISO 8601 timestamp/);
  assert.match(rejected[2].reason, /neither by a review bot nor a reply/);
  assert.match(rejected[3].reason, /^events\[3\]: Unrecognized key/);
});

it('the envelope names its host, reserves "github" and bounds the batch', () => {
  assert.equal(envelope.parse({ events: [{}] }).host, 'custom');
  assert.equal(envelope.safeParse({ host: 'GitHub', events: [{}] }).success, false);
  assert.equal(envelope.safeParse({ host: 'git lab', events: [{}] }).success, false);
  assert.equal(envelope.safeParse({ events: [] }).success, false);
  assert.equal(envelope.safeParse({ events: [{}], other: 1 }).success, false);
});

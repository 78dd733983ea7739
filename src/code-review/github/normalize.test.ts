import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import { normalizeGithubEvent } from './normalize.js';

// Real payloads from GitHub's documentation, via @octokit/webhooks-examples.
const defs = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: any[] }[];
const example = (name: string, action: string): any =>
  structuredClone(defs.find((d) => d.name === name)!.examples.find((e) => (e.action ?? '') === action));
const BOT = 'chatgpt-codex-connector[bot]';
const opts = { botLogins: [BOT], now: 1_700_000_000_000 };
const asBot = (o: any) => ({ ...o, login: BOT, type: 'Bot' });
const P1 =
  '**<sub><sub>![P1 Badge](https://img.shields.io/badge/P1-orange?style=flat)</sub></sub>  Close the file handle**';

it('a review submitted by the bot is a review fact; by a person it is ignored', () => {
  const p = example('pull_request_review', 'submitted');
  assert.equal(normalizeGithubEvent('pull_request_review', p, opts).kind, 'ignored');
  p.review.user = asBot(p.review.user);
  const n = normalizeGithubEvent('pull_request_review', p, opts);
  assert.equal(n.kind, 'facts');
  assert.deepEqual(n.kind === 'facts' && n.facts, [
    {
      kind: 'review',
      key: `github:review:${p.review.id}`,
      host: 'github',
      repository: 'Codertocat/Hello-World',
      pullRequest: '2',
      author: { login: BOT },
      ts: Date.parse(p.review.submitted_at),
      deleted: false,
    },
  ]);
});

it('an inline bot comment is a finding with its badge priority; a person answering it is a reply', () => {
  const c = example('pull_request_review_comment', 'created');
  c.comment.user = asBot(c.comment.user);
  c.comment.body = P1;
  const n = normalizeGithubEvent('pull_request_review_comment', c, opts);
  assert.ok(n.kind === 'facts' && n.facts[0].kind === 'comment');
  const f = n.facts[0];
  assert.equal(f.bot, true);
  assert.equal(f.priority, 1);
  assert.equal(f.key, `github:pr:${c.comment.id}`);
  assert.equal(f.threadKey, f.key);
  assert.equal(f.reviewKey, `github:review:${c.comment.pull_request_review_id}`);

  const r = example('pull_request_review_comment', 'created');
  r.comment.id = 999;
  r.comment.in_reply_to_id = c.comment.id;
  const rn = normalizeGithubEvent('pull_request_review_comment', r, opts);
  assert.ok(rn.kind === 'facts' && rn.facts[0].kind === 'comment');
  assert.equal(rn.facts[0].bot, false);
  assert.equal(rn.facts[0].inReplyToKey, `github:pr:${c.comment.id}`);
  assert.equal(rn.facts[0].author.login, 'Codertocat');

  // The bot answering inside a thread, and a person's own root comment, are not counted.
  r.comment.user = asBot(r.comment.user);
  assert.equal(normalizeGithubEvent('pull_request_review_comment', r, opts).kind, 'ignored');
  assert.equal(
    normalizeGithubEvent('pull_request_review_comment', example('pull_request_review_comment', 'created'), opts).kind,
    'ignored',
  );

  const d = example('pull_request_review_comment', 'deleted');
  d.comment.user = asBot(d.comment.user);
  const dn = normalizeGithubEvent('pull_request_review_comment', d, opts);
  assert.ok(dn.kind === 'facts' && dn.facts[0].kind === 'comment' && dn.facts[0].deleted);
});

it('bot conversation comments: "Codex Review" summaries are reviews, badged ones findings, the rest ignored', () => {
  const base = example('issue_comment', 'created');
  assert.match((normalizeGithubEvent('issue_comment', base, opts) as { reason: string }).reason, /not a pull request/);
  base.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' };
  base.comment.user = asBot(base.comment.user);
  base.comment.body = '### 💡 Codex Review\n\nHere are some automated review suggestions for this pull request.';
  const s = normalizeGithubEvent('issue_comment', base, opts);
  assert.ok(s.kind === 'facts' && s.facts[0].kind === 'review');
  assert.equal(s.facts[0].key, `github:review:issue-${base.comment.id}`);
  base.comment.body = P1;
  const f = normalizeGithubEvent('issue_comment', base, opts);
  assert.ok(
    f.kind === 'facts' &&
      f.facts[0].kind === 'comment' &&
      f.facts[0].commentType === 'issue' &&
      f.facts[0].priority === 1,
  );
  base.comment.body = 'To use Codex here, create an environment for this repo.';
  assert.equal(normalizeGithubEvent('issue_comment', base, opts).kind, 'ignored');
});

it('pull_request opened, closed and merged; other actions and events are ignored with a reason', () => {
  const opened = normalizeGithubEvent('pull_request', example('pull_request', 'opened'), opts);
  assert.ok(opened.kind === 'facts' && opened.facts[0].kind === 'pull_request' && opened.facts[0].action === 'opened');
  const closed = normalizeGithubEvent('pull_request', example('pull_request', 'closed'), opts);
  assert.ok(closed.kind === 'facts' && closed.facts[0].kind === 'pull_request' && closed.facts[0].action === 'closed');
  const m = example('pull_request', 'closed');
  m.pull_request.merged = true;
  m.pull_request.merged_at = '2019-05-15T16:00:00Z';
  const merged = normalizeGithubEvent('pull_request', m, opts);
  assert.ok(
    merged.kind === 'facts' &&
      merged.facts[0].kind === 'pull_request' &&
      merged.facts[0].action === 'merged' &&
      merged.facts[0].ts === Date.parse('2019-05-15T16:00:00Z'),
  );
  assert.deepEqual(normalizeGithubEvent('pull_request', example('pull_request', 'labeled'), opts), {
    kind: 'ignored',
    reason: 'pull_request action "labeled" is not used',
  });
  assert.deepEqual(normalizeGithubEvent('issues', {}, opts), {
    kind: 'ignored',
    reason: 'event "issues" is not used by Steward',
  });
});

it('ping answers; a payload without the needed fields is invalid and names the field', () => {
  const ping = example('ping', '');
  assert.deepEqual(normalizeGithubEvent('ping', ping, opts), { kind: 'ping', zen: ping.zen, hookId: ping.hook_id });
  const bad = example('pull_request_review_comment', 'created');
  delete bad.comment.id;
  assert.deepEqual(normalizeGithubEvent('pull_request_review_comment', bad, opts), {
    kind: 'invalid',
    reason: 'payload.comment.id: Invalid input',
  });
});

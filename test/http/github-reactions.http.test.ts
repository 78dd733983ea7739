// The reaction poller against a loopback fake of GitHub's REST reaction endpoints: pagination (Link
// rel=next), ETag 304s, a 403 rate-limit response, a 500; added and removed reactions move the
// code_review_responses rows exactly as the counts computed here say.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import {
  pollReactionsOnce,
  startReactionPoller,
  type PollerState,
} from '../../src/code-review/github/reaction-poller.service.js';
import { addUser } from '../../src/access/users.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { assertEndpointsMatch, type TruthComment, type TruthReview } from '../support/code-review-truth.js';
import {
  BOT,
  badge,
  deliver,
  issueCommentPayload,
  reviewCommentPayload,
  reviewPayload,
  startFakeGithub,
  type FakeGithub,
  type FakeReaction,
} from '../support/github.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;
const A = 'Codertocat/Hello-World';
const B = 'octo-org/api';

for (const dialect of DIALECTS) {
  describe(`GitHub reaction poller (${dialect})`, () => {
    let t: TestApp;
    let gh: FakeGithub;
    let aliceId: string;
    const now = Date.now();
    const d1 = now - 3 * DAY;
    const d2 = now - 1 * DAY;
    const reviews: TruthReview[] = [{ at: d1, repo: A }];
    const comments = new Map<string, TruthComment>(); // fake path -> truth
    const start = Math.floor((now - 10 * DAY) / 1000);
    const state: PollerState = { pausedUntil: 0 };
    const poll = (at: number) => pollReactionsOnce(t.store.db, t.config.github, state, { now: () => at, perPage: 2 });
    // What GitHub holds is what the truth holds, minus the bot's own reactions.
    const setReactions = (path: string, list: FakeReaction[]) => {
      gh.reactions.set(path, list);
      comments.get(path)!.reactions = list
        .filter((r) => r.login !== BOT)
        .map((r) => ({ content: r.content, login: r.login }));
    };

    before(async () => {
      gh = await startFakeGithub();
      t = await makeApp(dialect, {
        github: {
          webhook_secret: 's3cret',
          token: 'ghp_test_token',
          api_base_url: gh.url,
          reaction_window_days: 14,
          poll_interval_seconds: 300,
        },
      });
      aliceId = (
        await addUser(
          t.store.db,
          { workspaceId: t.workspaceId, email: 'alice@example.com', githubLogin: 'alice-gh' },
          SYSTEM,
        )
      ).id;
      const send = async (event: string, payload: unknown) => {
        const body = JSON.stringify(payload);
        const r = await deliver(t, event, payload, {
          body,
          signature:
            'sha256=' + (await import('node:crypto')).createHmac('sha256', 's3cret').update(body).digest('hex'),
        });
        assert.equal(r.statusCode, 200, r.body);
      };
      await send('pull_request_review', reviewPayload({ id: 77, login: BOT, at: d1, repo: A }));
      const specs: [string, number, number, string, number | null, string][] = [
        ['pulls/101', 101, d1, A, 0, badge(0)],
        ['pulls/102', 102, d1, A, 1, badge(1)],
        ['pulls/103', 103, d1, A, null, 'No badge here'],
        ['pulls/201', 201, d2, B, 2, badge(2)],
      ];
      for (const [path, id, at, repo, priority, body] of specs) {
        await send(
          'pull_request_review_comment',
          reviewCommentPayload({ id, login: BOT, body, at, repo, reviewId: 77 }),
        );
        comments.set(path, { at, repo, priority, replies: new Set(), reactions: [] });
        gh.reactions.set(path, []);
      }
      await send('issue_comment', issueCommentPayload({ id: 301, login: BOT, body: badge(1), at: d2, repo: B, pr: 9 }));
      comments.set('issues/301', { at: d2, repo: B, priority: 1, replies: new Set(), reactions: [] });
      gh.reactions.set('issues/301', []);
      // A reply by someone else also makes 102 engaged; its reactions must not count it twice.
      await send(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 501, login: 'bob', body: 'ok', at: d1 + 1000, repo: A, inReplyTo: 102 }),
      );
      comments.get('pulls/102')!.replies.add('501');
    });
    after(async () => {
      await t.close();
      await gh.close();
    });

    it('reads every page, survives a 500, maps reactors to users and ignores the bot', async () => {
      setReactions('pulls/101', [
        { id: 1, content: '+1', login: 'alice-gh' },
        { id: 2, content: 'heart', login: 'bob' },
        { id: 3, content: '-1', login: 'carol' },
        { id: 4, content: 'eyes', login: 'dave' },
        { id: 5, content: 'rocket', login: 'erin' },
      ]);
      setReactions('pulls/102', [
        { id: 6, content: 'eyes', login: 'bob' },
        { id: 7, content: 'laugh', login: 'carol' },
      ]);
      setReactions('pulls/103', [{ id: 8, content: 'eyes', login: BOT }]);
      setReactions('issues/301', [{ id: 9, content: 'confused', login: 'ALICE-GH' }]);
      gh.script.set('pulls/201', [{ status: 500, body: { message: 'Server Error' } }]);

      const s = await poll(now);
      assert.equal(s.due, 5);
      assert.equal(s.errors, 1);
      assert.equal(s.rate_limited, false);
      assert.equal(s.reactions_added, 8);
      // 101 has five reactions at two per page: three requests following Link rel="next".
      assert.equal(gh.log.filter((l) => l.path.includes('/pulls/comments/101/')).length, 3);
      assert.ok(gh.log.every((l) => l.auth === 'Bearer ghp_test_token'));
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);

      const mapped = await t.store.db
        .selectFrom('cr_reactions')
        .select(['reaction_key', 'user_id'])
        .where('user_id', 'is not', null)
        .orderBy('reaction_key')
        .execute();
      assert.deepEqual(mapped, [
        { reaction_key: '1', user_id: aliceId },
        { reaction_key: '9', user_id: aliceId },
      ]);
    });

    it('sends If-None-Match and takes a 304 as no change; stops at a 403 rate limit and resumes after the reset', async () => {
      gh.log.length = 0;
      setReactions('pulls/201', [{ id: 10, content: 'hooray', login: 'alice-gh' }]);
      const reset = Math.floor(now / 1000) + 2 * 86_400 + 600;
      gh.script.set('issues/301', [
        {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
          body: { message: 'API rate limit exceeded' },
        },
      ]);
      const later = now + 2 * DAY;
      const s = await poll(later);
      assert.equal(s.rate_limited, true);
      assert.equal(s.paused_until, reset * 1000);
      const at403 = gh.log.findIndex((l) => l.status === 403);
      assert.ok(at403 >= 0);
      assert.equal(at403, gh.log.length - 1, 'no request after the rate-limit response');

      // While paused nothing is requested.
      const before = gh.log.length;
      const paused = await poll(later + 60_000);
      assert.equal(paused.rate_limited, true);
      assert.equal(gh.log.length, before);

      const s2 = await poll(reset * 1000 + 1000);
      assert.equal(s2.rate_limited, false);
      const all = await poll(reset * 1000 + 2 * DAY); // everything due again: each comment once more
      assert.ok(all.not_modified >= 3, `304s: ${JSON.stringify(all)}`);
      const conditional = gh.log.filter((l) => l.ifNoneMatch);
      assert.ok(conditional.length >= 3);
      assert.ok(conditional.some((l) => l.status === 304));
      // 101 spans pages, so its first-page ETag is not trusted: it is fetched in full every time.
      assert.ok(gh.log.filter((l) => l.path.includes('/101/') && l.ifNoneMatch).length === 0);
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
    });

    it('a removed reaction is subtracted; engagement stays while a reply remains and goes with the last response', async () => {
      setReactions('pulls/101', [{ id: 2, content: 'heart', login: 'bob' }]);
      setReactions('pulls/102', []); // 102 keeps its reply: still engaged, no longer reacted
      setReactions('issues/301', []); // 301 had only a reaction: no longer engaged
      const s = await poll(now + 10 * DAY);
      assert.equal(s.errors, 0);
      assert.equal(s.reactions_removed, 7);
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
      // Polling again with nothing changed changes nothing.
      await poll(now + 12 * DAY);
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
    });

    it('stops polling comments older than reaction_window_days', async () => {
      gh.log.length = 0;
      await poll(now + 30 * DAY); // every comment is older than reaction_window_days
      assert.equal(gh.log.length, 0);
    });

    it('the loop `steward serve` starts polls a new comment by itself and stops cleanly', async () => {
      const created = Date.now();
      const body = JSON.stringify(
        reviewCommentPayload({ id: 401, login: BOT, body: badge(0), at: created, repo: B, reviewId: 77 }),
      );
      const r = await deliver(t, 'pull_request_review_comment', null, {
        body,
        signature: 'sha256=' + (await import('node:crypto')).createHmac('sha256', 's3cret').update(body).digest('hex'),
      });
      assert.equal(r.statusCode, 200, r.body);
      comments.set('pulls/401', { at: created, repo: B, priority: 0, replies: new Set(), reactions: [] });
      setReactions('pulls/401', [{ id: 40, content: 'rocket', login: 'alice-gh' }]);
      gh.log.length = 0;
      const poller = startReactionPoller(t.store.db, t.config.github, { perPage: 2 });
      try {
        for (let i = 0; i < 100 && !gh.log.some((l) => l.path.includes('/401/')); i++)
          await new Promise((res) => setTimeout(res, 50));
      } finally {
        await poller.stop();
      }
      assert.ok(gh.log.some((l) => l.path.includes('/pulls/comments/401/') && l.status === 200));
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
    });
  });
}

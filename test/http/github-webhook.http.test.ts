// The GitHub webhook receiver on both databases: real example payloads (rewritten for the Codex
// bot), signed with the configured secret; the code review endpoints must equal counts computed here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { addUser } from '../../src/access/users.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { assertEndpointsMatch, getPage, type TruthComment, type TruthReview } from '../support/code-review-truth.js';
import {
  BOT,
  badge,
  deliver,
  example,
  issueCommentPayload,
  reviewCommentPayload,
  reviewPayload,
  sign,
} from '../support/github.js';
import { DIALECTS } from '../support/stores.js';
import { newId } from '../../src/core/ids.js';
import { insertWorkspace } from '../../src/platform/tenancy/workspaces.repository.js';

// Comments stored under a comment key, in any workspace (or in the one given).
const storedIn = async (t: TestApp, key: string, ws?: string) => {
  let q = t.store.db.selectFrom('cr_comments').select('comment_key').where('comment_key', '=', key);
  if (ws) q = q.where('workspace_id', '=', ws);
  return (await q.execute()).length;
};

const DAY = 86_400_000;
const A = 'Codertocat/Hello-World';
const B = 'octo-org/api';

for (const dialect of DIALECTS) {
  describe(`GitHub webhook (${dialect})`, () => {
    let t: TestApp;
    let aliceId: string;
    const now = Date.now();
    const d1 = now - 3 * DAY;
    const d2 = now - 1 * DAY;
    const reviews: TruthReview[] = [];
    const comments = new Map<number, TruthComment>();
    const ok = async (event: string, payload: unknown, opts: Parameters<typeof deliver>[3] = {}) => {
      const r = await deliver(t, event, payload, opts);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const botComment = async (
      id: number,
      body: string,
      at: number,
      priority: number | null,
      repo = A,
      reviewId = 501,
    ) => {
      const res = await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id, login: BOT, body, at, repo, reviewId }),
      );
      assert.equal(res.applied.comments, 1);
      comments.set(id, { at, repo, priority, replies: new Set(), reactions: [] });
    };

    before(async () => {
      t = await makeApp(dialect, { github: { webhook_secret: 'It is a secret to everybody' } });
      aliceId = (
        await addUser(
          t.store.db,
          { workspaceId: t.workspaceId, email: 'alice@example.com', githubLogin: 'CoderTocat' },
          SYSTEM,
        )
      ).id;
    });
    after(() => t.close());

    it('stores bot reviews, findings by priority, replies, edits and deletions; the endpoints equal the truth', async () => {
      await ok('pull_request_review', reviewPayload({ id: 501, login: BOT, at: d1, repo: A }));
      reviews.push({ at: d1, repo: A });
      await botComment(1001, badge(0), d1, 0);
      await botComment(1002, badge(1), d1, 1);
      await botComment(1003, 'A finding without a badge', d1, null);
      await ok('pull_request_review', reviewPayload({ id: 502, login: BOT, at: d2, repo: B, pr: 5 }));
      reviews.push({ at: d2, repo: B });
      await botComment(2001, badge(2), d2, 2, B, 502);
      await botComment(2002, '**[P3] Rename the helper**\n\nNit.', d2, 3, B, 502);
      // A "Codex Review" summary posted as a conversation comment is a review; a badged one a finding.
      const summary = await ok(
        'issue_comment',
        issueCommentPayload({
          id: 3001,
          login: BOT,
          body: "Codex Review: Didn't find any major issues. 🚀",
          at: d2,
          repo: B,
          pr: 5,
        }),
      );
      assert.equal(summary.applied.reviews, 1);
      reviews.push({ at: d2, repo: B });
      await ok('issue_comment', issueCommentPayload({ id: 3002, login: BOT, body: badge(1), at: d2, repo: B, pr: 5 }));
      comments.set(3002, { at: d2, repo: B, priority: 1, replies: new Set(), reactions: [] });

      // Replies: two people answer 1001 (engaged once, two replies), one answers 2001.
      const r1 = await ok(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 4001,
          login: 'Codertocat',
          body: 'Fixed, thanks',
          at: d1 + 3600_000,
          inReplyTo: 1001,
        }),
      );
      assert.equal(r1.applied.replies, 1);
      comments.get(1001)!.replies.add('4001');
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 4002, login: 'bob-dev', body: 'Agreed', at: d1 + 7200_000, inReplyTo: 1001 }),
      );
      comments.get(1001)!.replies.add('4002');
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 4003,
          login: 'Codertocat',
          body: 'Not a real issue',
          at: d2 + 60_000,
          repo: B,
          inReplyTo: 2001,
        }),
      );
      comments.get(2001)!.replies.add('4003');

      // An edit gives 1003 a priority; a deletion removes 2002; a deleted reply stops counting.
      const edit = await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 1003, login: BOT, body: badge(2), at: d1, action: 'edited' }),
      );
      assert.equal(edit.applied.edits, 1);
      comments.get(1003)!.priority = 2;
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 2002,
          login: BOT,
          body: '**[P3] Rename the helper**',
          at: d2,
          repo: B,
          action: 'deleted',
        }),
      );
      comments.get(2002)!.deleted = true;
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 4002,
          login: 'bob-dev',
          body: 'Agreed',
          at: d1 + 7200_000,
          inReplyTo: 1001,
          action: 'deleted',
        }),
      );
      comments.get(1001)!.replies.delete('4002');

      // A merged pull request is recorded.
      const merged = example('pull_request', 'closed');
      merged.pull_request.merged = true;
      merged.pull_request.merged_at = new Date(d2).toISOString();
      assert.equal((await ok('pull_request', merged)).applied.pull_requests, 1);
      const pr = await t.store.db.selectFrom('cr_pull_requests').selectAll().executeTakeFirstOrThrow();
      assert.equal(pr.state, 'merged');
      assert.equal(Number(pr.merged_at), Date.parse(new Date(d2).toISOString()));

      await assertEndpointsMatch(t, reviews, [...comments.values()], Math.floor((now - 10 * DAY) / 1000));
    });

    it('replies are mapped to Steward users by GitHub login (case-insensitive)', async () => {
      const rows = await t.store.db
        .selectFrom('cr_replies')
        .select(['reply_key', 'user_id'])
        .orderBy('reply_key')
        .execute();
      assert.deepEqual(rows, [
        { reply_key: 'github:pr:4001', user_id: aliceId },
        { reply_key: 'github:pr:4002', user_id: null },
        { reply_key: 'github:pr:4003', user_id: aliceId },
      ]);
    });

    it('replayed deliveries, redelivered objects and out-of-order events never count twice', async () => {
      const start = Math.floor((now - 10 * DAY) / 1000);
      const before = await getPage(t, 'code_review_responses', `start_time=${start}&group_by=week`);
      const payload = reviewCommentPayload({ id: 1001, login: BOT, body: badge(0), at: d1, reviewId: 501 });
      const delivery = 'replayed-delivery-1';
      const first = await deliver(t, 'pull_request_review_comment', payload, { delivery });
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().applied.comments, 0); // the object was already stored
      const replay = await deliver(t, 'pull_request_review_comment', payload, { delivery });
      assert.equal(replay.statusCode, 200);
      assert.deepEqual(replay.json(), {
        ok: true,
        event: 'pull_request_review_comment',
        delivery,
        action: 'created',
        duplicate: true,
        reason: 'delivery already processed',
      });
      await ok('pull_request_review', reviewPayload({ id: 501, login: BOT, at: d1, repo: A }));
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 4001,
          login: 'Codertocat',
          body: 'Fixed, thanks',
          at: d1 + 3600_000,
          inReplyTo: 1001,
        }),
      );
      // A late "created" for a deleted comment or reply does not bring it back.
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 2002, login: BOT, body: '**[P3] Rename**', at: d2, repo: B, reviewId: 502 }),
      );
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 4002, login: 'bob-dev', body: 'Agreed', at: d1 + 7200_000, inReplyTo: 1001 }),
      );
      // A stale edit (older updated_at than the stored one) does not change the priority back.
      const stale = reviewCommentPayload({ id: 1003, login: BOT, body: 'no badge any more', at: d1 });
      stale.action = 'edited';
      assert.equal((await ok('pull_request_review_comment', stale)).applied.edits, 0);
      // A reply that arrives before its bot comment is counted when the comment comes.
      await ok(
        'pull_request_review_comment',
        reviewCommentPayload({ id: 4004, login: 'carol', body: 'Why?', at: d2 + 120_000, repo: B, inReplyTo: 2003 }),
      );
      assert.deepEqual(await getPage(t, 'code_review_responses', `start_time=${start}&group_by=week`), before);
      await botComment(2003, badge(1), d2, 1, B, 502);
      comments.get(2003)!.replies.add('4004');
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
    });

    it('answers bad, missing and malformed signatures, unknown events, bad JSON and bad payloads precisely', async () => {
      const payload = reviewCommentPayload({ id: 9001, login: BOT, body: badge(0), at: d2 });
      const body = JSON.stringify(payload);
      const bad = await deliver(t, 'pull_request_review_comment', payload, { signature: sign(body, 'wrong secret') });
      assert.equal(bad.statusCode, 401);
      const mismatch = 'X-Hub-Signature-256 does not match the body and the secret of the workspace it writes into';
      assert.deepEqual(bad.json().error, { message: mismatch, type: 'invalid_request_error', code: 'bad_signature' });
      const missing = await deliver(t, 'pull_request_review_comment', payload, { signature: null });
      assert.equal(missing.statusCode, 401);
      assert.equal(missing.json().error.message, 'X-Hub-Signature-256 header is missing');
      const sha1 = await deliver(t, 'pull_request_review_comment', payload, {
        signature: 'sha1=0123456789abcdef0123456789abcdef01234567',
      });
      assert.equal(sha1.statusCode, 401);
      assert.match(sha1.json().error.message, /not "sha256=<64 hex digits>"/);
      // The signature covers the exact bytes: the same JSON re-serialized does not verify.
      const tampered = await deliver(t, 'pull_request_review_comment', payload, {
        body: JSON.stringify(payload, null, 2),
        signature: sign(body),
      });
      assert.equal(tampered.statusCode, 401);

      const unknown = await deliver(t, 'issues', example('issues', 'opened'));
      assert.equal(unknown.statusCode, 202);
      assert.deepEqual(unknown.json(), {
        ok: true,
        event: 'issues',
        delivery: unknown.json().delivery,
        ignored: true,
        reason: 'event "issues" is not used by Steward',
      });
      const labeled = await deliver(t, 'pull_request', example('pull_request', 'labeled'));
      assert.equal(labeled.statusCode, 202);
      assert.equal(labeled.json().reason, 'pull_request action "labeled" is not used');
      const human = await deliver(t, 'pull_request_review_comment', example('pull_request_review_comment', 'created'));
      assert.equal(human.statusCode, 202);

      const malformed = await deliver(t, 'pull_request_review_comment', null, { body: '{"action": "created", ' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().error.code, 'malformed_body');
      assert.match(malformed.json().error.message, /not valid JSON/);
      const noEvent = await t.app.inject({
        method: 'POST',
        url: '/v1/integrations/github/webhook',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
        payload: body,
      });
      assert.equal(noEvent.statusCode, 400);
      assert.equal(noEvent.json().error.message, 'X-GitHub-Event header is missing');
      const broken = structuredClone(payload);
      delete broken.comment.created_at;
      const invalid = await deliver(t, 'pull_request_review_comment', broken);
      assert.equal(invalid.statusCode, 400);
      assert.equal(
        invalid.json().error.message,
        'pull_request_review_comment payload is invalid: payload.comment.created_at: Invalid input: expected string, received undefined',
      );
      // An unknown workspace is refused like a bad signature: the answer does not tell which exist.
      const elsewhere = await deliver(t, 'pull_request_review_comment', payload, { query: '?workspace=nope' });
      assert.equal(elsewhere.statusCode, 401);
      assert.deepEqual(elsewhere.json().error, bad.json().error);
      const inherited = await deliver(t, 'pull_request_review_comment', payload, { query: '?workspace=constructor' });
      assert.deepEqual(inherited.json().error, bad.json().error);

      // None of the rejected deliveries stored anything.
      const stored = await t.store.db
        .selectFrom('cr_comments')
        .select('comment_key')
        .where('comment_key', '=', 'github:pr:9001')
        .execute();
      assert.equal(stored.length, 0);
    });

    it('answers ping, accepts form-encoded deliveries and ?workspace=ID', async () => {
      const ping = example('ping');
      const pong = await deliver(t, 'ping', ping);
      assert.equal(pong.statusCode, 200);
      assert.equal(pong.json().zen, ping.zen);
      const payload = reviewCommentPayload({ id: 9100, login: BOT, body: badge(3), at: d2, repo: B, reviewId: 502 });
      const form = 'payload=' + encodeURIComponent(JSON.stringify(payload));
      const r = await deliver(t, 'pull_request_review_comment', payload, {
        body: form,
        contentType: 'application/x-www-form-urlencoded',
        query: `?workspace=${t.workspaceId}`,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().applied.comments, 1);
      comments.set(9100, { at: d2, repo: B, priority: 3, replies: new Set(), reactions: [] });
      await assertEndpointsMatch(t, reviews, [...comments.values()], Math.floor((now - 10 * DAY) / 1000));
    });

    it('refuses a delivery signed with the global secret into a workspace other than the default', async () => {
      const other = newId();
      await insertWorkspace(t.store.db, { id: other, name: 'other', created_at: Date.now(), settings: '{}' });
      const payload = reviewCommentPayload({ id: 9200, login: BOT, body: badge(0), at: d2 });
      const r = await deliver(t, 'pull_request_review_comment', payload, { query: `?workspace=${other}` });
      assert.equal(r.statusCode, 401, r.body);
      assert.equal(r.json().error.code, 'bad_signature');
      assert.equal(await storedIn(t, 'github:pr:9200'), 0);
    });

    it('is 404 when no webhook secret is configured', async () => {
      const plain = await makeApp(dialect);
      try {
        const r = await deliver(plain, 'ping', example('ping'));
        assert.equal(r.statusCode, 404);
        assert.match(r.json().error.message, /webhook_secret/);
      } finally {
        await plain.close();
      }
    });
  });
}

// Per-workspace secrets: each workspace's deliveries verify only with its own secret; the global
// webhook_secret binds the default workspace only.
for (const dialect of DIALECTS) {
  describe(`GitHub webhook secrets per workspace (${dialect})`, () => {
    let t: TestApp;
    const other = newId();
    const third = newId(); // exists, but has no secret of its own
    const secrets = { global: 'default-workspace secret', other: 'other workspace secret' };
    const at = Date.now() - 86_400_000;
    const comment = (id: number) => reviewCommentPayload({ id, login: BOT, body: badge(1), at });
    const send = (id: number, secret: string, ws?: string) => {
      const payload = comment(id);
      const signature = sign(JSON.stringify(payload), secret);
      return deliver(t, 'pull_request_review_comment', payload, { signature, query: ws ? `?workspace=${ws}` : '' });
    };

    before(async () => {
      const github = { webhook_secret: secrets.global, workspace_secrets: { [other]: secrets.other } };
      t = await makeApp(dialect, { github });
      for (const id of [other, third]) {
        await insertWorkspace(t.store.db, { id, name: id, created_at: Date.now(), settings: '{}' });
      }
    });
    after(() => t.close());

    it("accepts each workspace's own secret and writes into that workspace", async () => {
      const mine = await send(9301, secrets.other, other);
      assert.equal(mine.statusCode, 200, mine.body);
      assert.equal(await storedIn(t, 'github:pr:9301', other), 1);
      const byDefault = await send(9302, secrets.global);
      assert.equal(byDefault.statusCode, 200, byDefault.body);
      assert.equal(await storedIn(t, 'github:pr:9302', t.workspaceId), 1);
      const named = await send(9303, secrets.global, t.workspaceId);
      assert.equal(named.statusCode, 200, named.body);
    });

    it("refuses a delivery signed with another workspace's secret, and records it in AUTH_LOG", async () => {
      // First the default workspace: refusals from one address fold into the first one's record.
      const intoDefault = await send(9402, secrets.other);
      assert.equal(intoDefault.statusCode, 401);
      const intoOther = await send(9401, secrets.global, other);
      assert.equal(intoOther.statusCode, 401, intoOther.body);
      assert.equal(intoOther.json().error.code, 'bad_signature');
      const intoThird = await send(9403, secrets.global, third);
      const unknown = await send(9404, secrets.global, newId());
      // No secret bound and no such workspace read exactly like a wrong signature.
      for (const r of [intoDefault, intoThird, unknown]) assert.deepEqual(r.json(), intoOther.json());
      for (const id of [9401, 9402, 9403, 9404]) assert.equal(await storedIn(t, `github:pr:${id}`), 0);
      assert.doesNotMatch(intoOther.body, new RegExp(`${secrets.global}|${secrets.other}`));

      const reader = await t.key(['codex.enterprise.compliance.read']);
      await t.ctx.authFailures.flush();
      const records = await downloadAll(t.app, t.workspaceId, reader, 'AUTH_LOG', 1000);
      const logged = records.map((r) => r.content as Record<string, unknown>);
      const refusals = logged.filter((c) => c.reason === 'bad_signature');
      assert.ok(refusals.length >= 1, JSON.stringify(logged));
      assert.equal(refusals[0].path, '/v1/integrations/github/webhook');
      assert.doesNotMatch(JSON.stringify(logged), new RegExp(`${secrets.global}|${secrets.other}`));
    });

    it('with only per-workspace secrets the integration is on, and the default workspace is not bound', async () => {
      const only = await makeApp(dialect, { github: { workspace_secrets: { [other]: secrets.other } } });
      try {
        await insertWorkspace(only.store.db, { id: other, name: 'other', created_at: Date.now(), settings: '{}' });
        const payload = comment(9501);
        const body = JSON.stringify(payload);
        const signature = sign(body, secrets.other);
        const noDefault = await deliver(only, 'pull_request_review_comment', payload, { signature });
        assert.equal(noDefault.statusCode, 401);
        const query = `?workspace=${other}`;
        const ok = await deliver(only, 'pull_request_review_comment', payload, { signature, query });
        assert.equal(ok.statusCode, 200, ok.body);
      } finally {
        await only.close();
      }
    });
  });
}

// POST /v1/ingest/code_review_events (generic code hosts) and the two code review analytics
// endpoints: row shapes, parameters, paging, 422s and scopes, on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { addUser } from '../../src/access/users.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { assertEndpointsMatch, getPage, type TruthComment, type TruthReview } from '../support/code-review-truth.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`code review ingest and analytics API (${dialect})`, () => {
    let t: TestApp;
    let ingestKey: string;
    let analyticsKey: string;
    let bobId: string;
    let carolId: string;
    const now = Date.now();
    const sec = (ms: number) => Math.floor(ms / 1000);
    const days = [20, 9, 8, 2].map((d) => now - d * DAY);
    const start = sec(now - 30 * DAY);
    const reviews: TruthReview[] = [];
    const comments = new Map<string, TruthComment>();
    const ingest = async (body: unknown, key = ingestKey) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/ingest/code_review_events',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    // A batch in a GitLab-like shape: bot reviews and findings in three repositories over four days.
    const batch: any[] = [];
    before(async () => {
      t = await makeApp(dialect, { github: { bot_logins: ['chatgpt-codex-connector[bot]', 'codex-gitlab-bot'] } });
      await t.user('dev@example.com');
      bobId = (await addUser(t.store.db, { workspaceId: t.workspaceId, email: 'bob@example.com' }, SYSTEM)).id;
      carolId = (
        await addUser(
          t.store.db,
          { workspaceId: t.workspaceId, email: 'carol@example.com', githubLogin: 'carol' },
          SYSTEM,
        )
      ).id;
      ingestKey = await t.key(['ingest.write'], 'dev@example.com');
      analyticsKey = await t.key(['codex.enterprise.analytics.read']);
      let id = 1;
      days.forEach((at, di) => {
        for (const repo of ['acme/api', 'acme/web', 'acme/cli'].slice(0, 1 + (di % 3))) {
          const rid = id++;
          batch.push({
            type: 'review',
            id: rid,
            repository: repo,
            pull_request: di + 1,
            author: { login: 'codex-gitlab-bot' },
            created_at: new Date(at).toISOString(),
          });
          reviews.push({ at, repo });
          for (const [pi, priority] of [0, 1, 2, 3, null].entries()) {
            const cid = id++;
            const ev: any = {
              type: 'comment',
              id: cid,
              repository: repo,
              pull_request: di + 1,
              review_id: rid,
              author: { login: 'codex-gitlab-bot' },
              created_at: sec(at) + pi,
              thread_id: `t${cid}`,
            };
            // Priorities given three ways: a field, a badge in the body, a [Pn] title prefix.
            if (priority === null) ev.body = 'A plain remark';
            else if (pi % 3 === 0) ev.priority = `P${priority}`;
            else if (pi % 3 === 1)
              ev.body = `**<sub><sub>![P${priority} Badge](https://img.shields.io/badge/P${priority}-red?style=flat)</sub></sub> Title**`;
            else ev.body = `[P${priority}] Title`;
            batch.push(ev);
            comments.set(String(cid), {
              at: sec(at) * 1000 + pi * 1000,
              repo,
              priority,
              replies: new Set(),
              reactions: [],
            });
          }
        }
      });
    });
    after(() => t.close());

    it('ingests reviews, prioritized comments, replies, reactions and PR state; replaying changes nothing', async () => {
      const keys = [...comments.keys()];
      const [c1, c2, c3] = keys;
      const responses = [
        {
          type: 'comment',
          id: 'r1',
          repository: 'x',
          pull_request: 1,
          author: { email: 'BOB@example.com' },
          in_reply_to: c1,
          created_at: sec(now),
        },
        {
          type: 'comment',
          id: 'r2',
          repository: 'x',
          pull_request: 1,
          author: { login: 'carol' },
          thread_id: `t${c2}`,
          created_at: sec(now),
        },
        { type: 'reaction', comment_id: c1, content: '+1', user: { login: 'carol' } },
        { type: 'reaction', comment_id: c1, content: 'confused', user: { email: 'bob@example.com' } },
        { type: 'reaction', comment_id: c3, content: 'eyes', user: { login: 'dave' } },
        { type: 'reaction', comment_id: c3, content: 'eyes', user: { login: 'codex-gitlab-bot' } }, // the bot: ignored
        {
          type: 'pull_request',
          repository: 'acme/api',
          number: 1,
          action: 'merged',
          at: new Date(days[0] + 3600_000).toISOString(),
        },
        {
          type: 'comment',
          id: 'bad',
          repository: 'x',
          pull_request: 1,
          author: { login: 'someone' },
          created_at: sec(now),
        }, // not a reply
        { type: 'reaction', comment_id: c1, content: '+1' }, // no user and no id
        { type: 'review', id: 'x', repository: 'x', pull_request: 1, bot: true, created_at: 'yesterday' },
        { type: 'vote', id: 1 },
      ];
      const body = { host: 'gitlab', events: [...batch, ...responses] };
      const r = await ingest(body);
      assert.equal(r.statusCode, 200, r.body);
      const out = r.json();
      assert.equal(out.accepted, batch.length + 7);
      assert.deepEqual(
        out.rejected.map((x: any) => x.index),
        [0, 1, 2, 3].map((i) => batch.length + 7 + i),
      );
      assert.match(out.rejected[0].reason, /neither by a review bot nor a reply/);
      assert.match(out.rejected[1].reason, /needs an id or a user/);
      assert.match(out.rejected[2].reason, /created_at: must be Unix seconds or an ISO 8601 timestamp/);
      assert.match(out.rejected[3].reason, /events\[\d+\]\.type/);
      assert.equal(out.applied.replies, 2);
      assert.equal(out.applied.reactions_added, 3);
      comments.get(c1)!.replies.add('r1');
      comments.get(c2)!.replies.add('r2');
      comments.get(c1)!.reactions.push({ content: '+1', login: 'carol' }, { content: 'confused', login: 'bob' });
      comments.get(c3)!.reactions.push({ content: 'eyes', login: 'dave' });
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);

      const again = await ingest(body);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json().applied, {
        reviews: 0,
        comments: 0,
        replies: 0,
        reactions_added: 0,
        reactions_removed: 0,
        edits: 0,
        deletions: 0,
        pull_requests: 1,
        unresolved_replies: 0,
      });
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);

      // Replies and reactions carry the Steward user found by email or login.
      const replyUsers = await t.store.db
        .selectFrom('cr_replies')
        .select(['reply_key', 'user_id'])
        .orderBy('reply_key')
        .execute();
      assert.deepEqual(replyUsers, [
        { reply_key: 'gitlab:c:r1', user_id: bobId },
        { reply_key: 'gitlab:c:r2', user_id: carolId },
      ]);
      const reactionUsers = await t.store.db
        .selectFrom('cr_reactions')
        .select(['content', 'user_id'])
        .orderBy('content')
        .execute();
      assert.deepEqual(reactionUsers, [
        { content: '+1', user_id: carolId },
        { content: 'confused', user_id: bobId },
        { content: 'eyes', user_id: null },
      ]);

      // Removing a reaction, deleting a reply and editing a priority move exactly those counters.
      const edit = batch.find((e) => String(e.id) === c2);
      const changes = [
        { type: 'reaction', comment_id: c1, content: 'confused', user: { email: 'bob@example.com' }, removed: true },
        {
          type: 'comment',
          id: 'r2',
          repository: 'x',
          pull_request: 1,
          author: { login: 'carol' },
          thread_id: `t${c2}`,
          created_at: sec(now),
          deleted: true,
        },
        { ...edit, priority: 'P3', updated_at: sec(now) },
      ];
      const r2 = await ingest({ host: 'gitlab', events: changes });
      assert.equal(r2.statusCode, 200, r2.body);
      assert.deepEqual(r2.json().rejected, []);
      comments.get(c1)!.reactions = [{ content: '+1', login: 'carol' }];
      comments.get(c2)!.replies.clear();
      comments.get(c2)!.priority = 3;
      await assertEndpointsMatch(t, reviews, [...comments.values()], start);
    });

    it('pages with next_page (also accepted as next_page=) in time order, per bucket and per repository', async () => {
      for (const endpoint of ['code_reviews', 'code_review_responses'] as const) {
        for (const group of ['workspace', 'repository']) {
          const full = await getPage(t, endpoint, `start_time=${start}&group=${group}`, analyticsKey);
          assert.ok(full.data.length >= 4);
          const walked: any[] = [];
          let cursor: string | null = null;
          let n = 0;
          do {
            const param: string = cursor ? `&${n % 2 ? 'next_page' : 'page'}=${cursor}` : '';
            const p = await getPage(t, endpoint, `start_time=${start}&group=${group}&limit=1${param}`, analyticsKey);
            assert.equal(p.data.length, 1);
            walked.push(...p.data);
            cursor = p.next_page;
            assert.equal(p.has_more, cursor !== null);
            n++;
          } while (cursor);
          assert.deepEqual(walked, full.data);
          const times = walked.map((r) => r.start_time);
          assert.deepEqual(
            times,
            [...times].sort((a, b) => a - b),
          );
        }
      }
      // end_time is exclusive and start_time inclusive: only the buckets between.
      const mid = await getPage(
        t,
        'code_reviews',
        `start_time=${sec(days[2] - DAY)}&end_time=${sec(days[3] - DAY)}`,
        analyticsKey,
      );
      assert.equal(mid.data.length, 2);
    });

    it('answers malformed parameters with a 422 naming the parameter', async () => {
      const cases: [string, string][] = [
        ['group_by=month', 'group_by'],
        ['group=user', 'group'],
        ['limit=0', 'limit'],
        ['limit=30001', 'limit'],
        [`start_time=${sec(now - 120 * DAY)}`, 'start_time'],
        ['start_time=yesterday', 'start_time'],
        [`start_time=${sec(now)}&end_time=${sec(now - DAY)}`, 'end_time'],
        ['page=not-a-cursor', 'page'],
      ];
      const weekCursor = (await getPage(t, 'code_reviews', `start_time=${start}&group_by=week&limit=1`)).next_page;
      cases.push([`page=${weekCursor}`, 'page']); // a group_by=week cursor on a group_by=day request
      const repoCursor = (await getPage(t, 'code_reviews', `start_time=${start}&group=repository&limit=1`)).next_page;
      cases.push([
        `page=${(await getPage(t, 'code_reviews', `start_time=${start}&limit=1`)).next_page}&group=repository`,
        'page',
      ]);
      assert.ok(repoCursor);
      for (const endpoint of ['code_reviews', 'code_review_responses']) {
        for (const [q, param] of cases) {
          const r = await t.app.inject({
            method: 'GET',
            url: `/v1/analytics/codex/workspaces/${t.workspaceId}/${endpoint}?${q}`,
            headers: { authorization: `Bearer ${analyticsKey}` },
          });
          assert.equal(r.statusCode, 422, `${endpoint}?${q}: ${r.body}`);
          assert.deepEqual(r.json().detail[0].loc, ['query', param], `${endpoint}?${q}`);
        }
      }
    });

    it('rejects a bad envelope with 422, non-JSON with 415; enforces scopes per endpoint', async () => {
      const empty = await ingest({});
      assert.equal(empty.statusCode, 422);
      assert.deepEqual(empty.json().detail[0].loc, ['body', 'events']);
      const github = await ingest({ host: 'github', events: [{}] });
      assert.equal(github.statusCode, 422);
      assert.deepEqual(github.json().detail[0].loc, ['body', 'host']);
      const text = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/code_review_events',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'text/plain' },
        payload: 'hello',
      });
      assert.equal(text.statusCode, 415);

      const forbidden = [
        ['GET', `/v1/analytics/codex/workspaces/${t.workspaceId}/code_reviews`, ingestKey],
        ['GET', `/v1/analytics/codex/workspaces/${t.workspaceId}/code_review_responses`, ingestKey],
        ['POST', '/v1/ingest/code_review_events', analyticsKey],
      ] as const;
      for (const [method, url, key] of forbidden) {
        const r = await t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          payload: method === 'POST' ? '{"events":[]}' : undefined,
        });
        assert.equal(r.statusCode, 403, `${method} ${url}`);
        assert.equal(r.json().error.code, 'forbidden_scope');
        const anon = await t.app.inject({
          method,
          url,
          headers: { 'content-type': 'application/json' },
          payload: method === 'POST' ? '{}' : undefined,
        });
        assert.equal(anon.statusCode, 401);
      }
      const other = await t.app.inject({
        method: 'GET',
        url: '/v1/analytics/codex/workspaces/another/code_reviews',
        headers: { authorization: `Bearer ${analyticsKey}` },
      });
      assert.equal(other.statusCode, 403);
      assert.equal(other.json().error.code, 'forbidden_workspace');
    });
  });
}

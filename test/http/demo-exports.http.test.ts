// steward demo and the exports on both databases: a small demo (50 people, 7 days) is written through
// the real write paths; the Analytics API must then answer the totals this test recomputes from the
// generator's own events (replayed from the same seed), the archive must verify, and every export
// row must equal the API's row for the same bucket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runDemo } from '../../src/app/demo/demo.service.js';
import { demoPeople } from '../../src/app/demo/demo-people.js';
import { demoDay } from '../../src/app/demo/demo-activity.js';
import { demoReviewDay } from '../../src/app/demo/demo-reviews.js';
import { priceUsage } from '../../src/core/pricing.js';
import { DAY_MS, dayOf } from '../../src/core/time.js';
import { verifyChain } from '../../src/compliance/index.js';
import { cliActor } from '../../src/cli/shared.js';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

const NOW = Date.UTC(2026, 10, 20, 15, 30);
const SPEC = { users: 50, days: 7, seed: 7, now: NOW, archiveDays: 2 };
const START = (dayOf(NOW) - SPEC.days + 1) * DAY_MS;

type Sums = { turns: number; threads: Set<string>; requests: number; input: number; cached: number; output: number };
type Sums2 = Sums & { reasoning: number; credits: number };

// The generator's events, replayed and summed here: per person (email) over the window, and the
// distinct active people per day.
function truth(creditsPerUsd: number) {
  const { people } = demoPeople(SPEC);
  const perUser = new Map<string, Sums2>();
  const activeByDay = new Map<number, Set<string>>();
  for (let i = 0; i < SPEC.days; i++) {
    const day = demoDay(SPEC, people, i, i >= SPEC.days - SPEC.archiveDays);
    for (const e of day.events) {
      const email = e.emailClaim!;
      const s =
        perUser.get(email) ??
        perUser
          .set(email, {
            turns: 0,
            threads: new Set(),
            requests: 0,
            input: 0,
            cached: 0,
            output: 0,
            reasoning: 0,
            credits: 0,
          })
          .get(email)!; // prettier-ignore
      if (e.kind === 'turn') {
        s.turns++;
        s.threads.add(e.threadId);
        (activeByDay.get(day.day) ?? activeByDay.set(day.day, new Set()).get(day.day)!).add(email);
      } else if (e.kind === 'response') {
        s.requests++;
        s.input += e.tokens.input;
        s.cached += e.tokens.cached;
        s.output += e.tokens.output;
        s.reasoning += e.tokens.reasoning;
        s.credits += priceUsage(e.model, e.tokens, creditsPerUsd).creditsNano;
      }
    }
  }
  const reviews = { reviews: 0, comments: 0, p: [0, 0, 0, 0], unprioritized: 0, replies: 0, reactions: 0 };
  for (let i = 0; i < SPEC.days; i++)
    for (const e of demoReviewDay(SPEC, people, i)) {
      if (e.type === 'review') reviews.reviews++;
      else if (e.type === 'reaction') reviews.reactions++;
      else if (e.type === 'comment' && e.bot) {
        reviews.comments++;
        if (e.priority === null) reviews.unprioritized++;
        else reviews.p[e.priority as number]!++;
      } else if (e.type === 'comment') reviews.replies++;
    }
  return { people, perUser, activeByDay, reviews };
}

for (const dialect of DIALECTS) {
  describe(`steward demo and the exports (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let truthOf: ReturnType<typeof truth>;
    before(async () => {
      t = await makeApp(dialect, { analytics: { lookback_days: 3650 } });
      await runDemo(t.store, t.config, SPEC, cliActor());
      key = await t.key(['codex.enterprise.analytics.read']);
      truthOf = truth(t.config.pricing.credits_per_usd);
    });
    after(() => t?.close());

    const W = () => `/v1/analytics/codex/workspaces/${t.workspaceId}`;
    const window = `start_time=${START / 1000}&end_time=${NOW / 1000}`;
    const get = (path: string) =>
      t.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
    const pages = async (path: string) => {
      const rows: any[] = [];
      let next: string | null = null;
      do {
        const r = await get(`${W()}/${path}&${window}&limit=100${next ? `&page=${next}` : ''}`);
        assert.equal(r.statusCode, 200, r.body);
        rows.push(...r.json().data);
        next = r.json().next_page;
      } while (next);
      return rows;
    };

    it('the usage API answers the totals recomputed from the generated events, per person', async () => {
      const rows = await pages('usage?group=user');
      const api = new Map<string, any>();
      for (const r of rows) {
        const a =
          api.get(r.email) ??
          api.set(r.email, { turns: 0, threads: 0, req: 0, un: 0, ca: 0, out: 0, rea: 0, cr: 0 }).get(r.email);
        a.turns += r.totals.turns;
        a.threads += r.totals.threads;
        a.req += r.totals.model_requests;
        a.un += r.totals.uncached_text_input_tokens;
        a.ca += r.totals.cached_text_input_tokens;
        a.out += r.totals.text_output_tokens;
        a.rea += r.totals.reasoning_output_tokens;
        a.cr += r.totals.credits;
      } // prettier-ignore
      const expected = [...truthOf.perUser].filter(([, s]) => s.turns > 0);
      assert.ok(expected.length > 10, 'the demo makes active people');
      assert.deepEqual([...api.keys()].sort(), expected.map(([e]) => e).sort());
      for (const [email, s] of expected) {
        const a = api.get(email);
        assert.deepEqual(
          [a.turns, a.threads, a.req, a.un, a.ca, a.out, a.rea],
          [s.turns, s.threads.size, s.requests, s.input - s.cached, s.cached, s.output, s.reasoning],
          email,
        );
        assert.ok(Math.abs(a.cr - s.credits / 1e9) < 1e-6, `${email} credits ${a.cr} ${s.credits / 1e9}`);
      }
      // Seats never used and people who stopped are in the workspace but have no usage.
      assert.ok(truthOf.people.some((p) => p.neverActive && p.hasKey));
    });

    it('the code review API answers the generated reviews, findings, replies and reactions', async () => {
      const reviews = await pages('code_reviews?group=workspace');
      const responses = await pages('code_review_responses?group=workspace');
      const sum = (rows: any[], f: (r: any) => number) => rows.reduce((n, r) => n + f(r), 0);
      const x = truthOf.reviews;
      assert.ok(x.reviews > 5 && x.comments > 5 && x.replies > 0 && x.reactions > 0);
      assert.equal(
        sum(reviews, (r) => r.pull_request_reviews),
        x.reviews,
      );
      assert.equal(
        sum(reviews, (r) => r.comments),
        x.comments,
      );
      assert.deepEqual(
        [0, 1, 2, 3].map((p) => sum(reviews, (r) => r.comment_details[`p${p}`])),
        x.p,
      );
      assert.equal(
        sum(reviews, (r) => r.comment_details.unprioritized),
        x.unprioritized,
      );
      assert.equal(
        sum(responses, (r) => r.replies),
        x.replies,
      );
      assert.equal(
        sum(responses, (r) => r.reactions),
        x.reactions,
      );
    });

    it('the archive verifies, with DLP findings among the archived days', async () => {
      const report = await verifyChain(t.store.db, t.workspaceId);
      assert.equal(report.ok, true, JSON.stringify(report));
      const reader = await t.key(['codex.enterprise.compliance.read']);
      const security = await downloadAll(t.app, t.workspaceId, reader, 'CODEX_SECURITY_LOG', 1000);
      assert.ok(security.length >= SPEC.archiveDays, `${security.length} DLP findings`);
    });

    it('users.json and users.csv rows are the usage API rows; one person_data.viewed record per export', async () => {
      const api = await pages('usage?group=user');
      const r = await get(`${W()}/exports/users.json?${window}`);
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.match(String(r.headers['content-disposition']), /^attachment; filename="steward-users-day-.*\.json"$/);
      const rows = r.json().data;
      assert.equal(rows.length, api.length);
      api.forEach((a, i) => {
        const e = rows[i];
        assert.deepEqual(
          [e.start_time, e.end_time, e.user_id, e.email, e.turns, e.threads, e.credits, e.text_total_tokens],
          [
            a.start_time,
            a.end_time,
            a.user_id,
            a.email,
            a.totals.turns,
            a.totals.threads,
            a.totals.credits,
            a.totals.text_total_tokens,
          ],
        ); // prettier-ignore
        assert.equal(e.date, new Date(a.start_time * 1000).toISOString().slice(0, 10));
      });
      const csv = await get(`${W()}/exports/users.csv?${window}`);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body.trimEnd().split('\n');
      const head = lines[0]!.split(',');
      assert.deepEqual(head.slice(0, 6), ['date', 'start_time', 'end_time', 'user_id', 'email', 'threads']);
      assert.equal(lines.length - 1, rows.length);
      lines.slice(1).forEach((line, i) => {
        const cells = line.split(',');
        head.forEach((h, j) => assert.equal(cells[j], String(rows[i][h] ?? ''), `${h} of row ${i}`));
      });
      const reader = await t.key(['codex.enterprise.compliance.read']);
      const views = (await downloadAll(t.app, t.workspaceId, reader, 'AUDIT_LOG', 1000))
        .map((x) => x.content as any)
        .filter((c) => c.action === 'person_data.viewed' && c.after.what === 'analytics.export.users');
      assert.equal(views.length, 2, 'one per export (json, csv)');
      assert.equal(views[0].after.user_count, new Set(rows.map((x: any) => x.user_id)).size);
    });

    it('usage.json: the "all" rows are the workspace rows, with the distinct active people of each day', async () => {
      const api = await pages('usage?group=workspace');
      const rows = (await get(`${W()}/exports/usage.json?${window}`)).json().data;
      const all = rows.filter((r: any) => r.client_id === 'all');
      assert.equal(all.length, api.length);
      api.forEach((a, i) => {
        assert.equal(all[i].start_time, a.start_time);
        for (const k of ['threads', 'turns', 'model_requests', 'text_total_tokens'])
          assert.equal(all[i][k], a.totals[k], k);
        assert.equal(all[i].active_users, truthOf.activeByDay.get(a.start_time / 86_400)?.size ?? 0);
        for (const c of a.clients) {
          const row = rows.find((r: any) => r.start_time === a.start_time && r.client_id === c.client_id);
          assert.equal(row.turns, c.turns, `${c.client_id} turns`);
          assert.equal(row.credits, c.credits, `${c.client_id} credits`);
        }
      });
      const surfaces = new Set(rows.map((r: any) => r.surface));
      for (const s of ['cli', 'ide', 'desktop', 'cloud', 'code_review']) assert.ok(surfaces.has(s), s);
    });

    it('code_reviews.json rows are the API rows per repository', async () => {
      const reviews = await pages('code_reviews?group=repository');
      const responses = await pages('code_review_responses?group=repository');
      const rows = (await get(`${W()}/exports/code_reviews.json?${window}`)).json().data;
      assert.equal(rows.length, reviews.length);
      reviews.forEach((a, i) => {
        const e = rows[i];
        const b = responses[i];
        assert.deepEqual(
          [e.start_time, e.repository, e.pull_request_reviews, e.comments, e.p0, e.p1, e.p2, e.p3, e.unprioritized],
          [
            a.start_time,
            a.repository,
            a.pull_request_reviews,
            a.comments,
            ...['p0', 'p1', 'p2', 'p3', 'unprioritized'].map((k) => a.comment_details[k]),
          ],
        ); // prettier-ignore
        assert.deepEqual(
          [e.replies, e.reactions, e.upvotes, e.downvotes, e.other_reactions, e.engaged],
          [
            b.replies,
            b.reactions,
            b.reaction_details.upvotes,
            b.reaction_details.downvotes,
            b.reaction_details.other,
            b.comment_response_details.engaged,
          ],
        ); // prettier-ignore
      });
    });

    it('emails stay out of the export when the workspace settings turn them off or cannot be read', async () => {
      const emails = async () =>
        (await get(`${W()}/exports/users.json?${window}`)).json().data.map((r: any) => r.email);
      assert.ok((await emails()).every((e: string | null) => typeof e === 'string'));
      for (const settings of [
        '{"analytics":{"show_emails":false}}',
        '{not json',
        '{"analytics":{"show_emails":"yes"}}',
      ]) {
        await t.store.db.updateTable('workspaces').set({ settings }).where('id', '=', t.workspaceId).execute();
        assert.ok(
          (await emails()).every((e: string | null) => e === null),
          settings,
        );
      }
      await t.store.db.updateTable('workspaces').set({ settings: '{}' }).where('id', '=', t.workspaceId).execute();
    });

    it('an unknown export parameter is refused by name', async () => {
      const r = await get(`${W()}/exports/usage.csv?limit=5`);
      assert.equal(r.statusCode, 422);
      assert.deepEqual(r.json().detail[0].loc, ['query', 'limit']);
    });
  });
}

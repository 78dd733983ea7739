// steward demo loads its older days in bulk (decisions/0044): the bulk path must leave the store as
// the ingest path would. The same small demo is run both ways into two stores, on both databases:
// every fact, rollup, set and code review table holds the same rows (ids mapped to emails), every
// Analytics API answer and every POST .../query panel is the same, and both archives verify.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runDemo, type DemoSummary } from '../../src/app/demo/demo.service.js';
import { DAY_MS, dayOf } from '../../src/core/time.js';
import { verifyChain } from '../../src/compliance/index.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIMENSIONS, METRICS } from '../../src/analytics/query/query.model.js';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';

// The query model's date ranges end at the server's clock: the demo's ends there too.
const NOW = Date.now();
const SPEC = { users: 40, days: 10, seed: 11, now: NOW, archiveDays: 2 };
const START = Math.floor((dayOf(NOW) - SPEC.days + 1) * DAY_MS) / 1000;
const END = Math.floor(NOW / 1000);

// The dashboard's ranking panel (web/src: query by user).
const RANKING = ['credits', 'threads', 'turns', 'text_total_tokens', 'current_streak'] as const;

const TABLES = [
  'threads',
  'turns',
  'model_requests',
  'tool_events',
  'fact_reconcile',
  'codex_events',
  'thread_day_set',
  'thread_week_set',
  'active_user_day_set',
  'active_user_week_set',
  'active_user_day_surface_set',
  'active_user_week_surface_set',
  'active_user_day_count',
  'active_user_week_count',
  'user_activity',
  'usage_user_day',
  'usage_user_week',
  'usage_user_model_day',
  'usage_user_model_week',
  'usage_ws_day',
  'usage_ws_week',
  'usage_ws_model_day',
  'usage_ws_model_week',
  'usage_skill_day',
  'usage_skill_week',
  'tool_calls_day',
  'tool_mcp_day',
  'cr_reviews',
  'cr_comments',
  'cr_replies',
  'cr_reactions',
  'cr_pull_requests',
  'cr_ws_day',
  'cr_ws_week',
  'cr_repo_day',
  'cr_repo_week',
] as const;

interface Side {
  t: TestApp;
  key: string;
  summary: DemoSummary;
  // Each store's own ids (users, teams, workspace) -> a name both stores share.
  names: [string, string][];
}

for (const dialect of DIALECTS) {
  describe(`steward demo: the bulk-loaded days equal the ingest path (${dialect})`, () => {
    const sides: Side[] = [];
    before(async () => {
      for (const bulk of [false, true]) {
        const t = await makeApp(dialect, { analytics: { lookback_days: 3650 } });
        const summary = await runDemo(t.store, t.config, { ...SPEC, bulk }, cliActor());
        const users = await t.store.db.selectFrom('users').select(['id', 'email']).execute();
        const teams = await t.store.db.selectFrom('teams').select(['id', 'name']).execute();
        const names: [string, string][] = [
          ...users.map((u) => [u.id, `user:${u.email}`] as [string, string]),
          ...teams.map((x) => [x.id, `team:${x.name}`] as [string, string]),
          [t.workspaceId, 'workspace'],
        ];
        sides.push({ t, key: await t.key(['codex.enterprise.analytics.read']), summary, names });
      }
    });
    after(async () => {
      for (const s of sides) await s.t.close();
    });

    const named = (s: Side, value: unknown) => {
      let text = JSON.stringify(value);
      for (const [id, name] of s.names) text = text.split(id).join(name);
      return JSON.parse(text);
    };
    const both = async (read: (s: Side) => Promise<unknown>) => {
      const [a, b] = await Promise.all(sides.map(async (s) => named(s, await read(s))));
      return { a, b };
    };

    it('one run took the ingest path for every day, the other loaded the older days in bulk', () => {
      const [ingest, bulk] = sides.map((s) => s.summary);
      assert.equal(ingest!.bulkEvents, 0);
      assert.ok(bulk!.bulkEvents > 100, `${bulk!.bulkEvents} events loaded in bulk`);
      assert.equal(bulk!.bulkEvents + bulk!.archivedEvents, bulk!.events);
      assert.equal(ingest!.events, bulk!.events);
      assert.equal(ingest!.archivedEvents, bulk!.archivedEvents);
    });

    it('every fact, rollup, set and code review table holds the same rows', async () => {
      for (const table of TABLES) {
        const { a, b } = await both(async (s) => {
          const rows = await s.t.store.db.selectFrom(table).selectAll().execute();
          return rows.map((r) => JSON.stringify(r)).sort();
        });
        assert.ok(a.length > 0, `${table} has rows`);
        assert.deepEqual(b, a, table);
      }
    });

    it('every Analytics API answer is the same', async () => {
      const window = `start_time=${START}&end_time=${END}`;
      const paths = [
        `usage?group=workspace&${window}`,
        `usage?group=user&${window}`,
        `usage?group=workspace&group_by=week&${window}`,
        `usage?group=team&${window}`,
        `skills?group=user&${window}`,
        `tools?${window}`,
        `code_reviews?group=workspace&${window}`,
        `code_reviews?group=repository&${window}`,
        `code_review_responses?group=workspace&${window}`,
        'adoption',
      ];
      for (const path of paths) {
        const { a, b } = await both(async (s) => {
          const rows: unknown[] = [];
          let next: string | null = null;
          do {
            const paged = path.includes('?') ? `&limit=100${next ? `&page=${next}` : ''}` : '';
            const r: { statusCode: number; body: string } = await s.t.app.inject({
              method: 'GET',
              url: `/v1/analytics/codex/workspaces/${s.t.workspaceId}/${path}${paged}`,
              headers: { authorization: `Bearer ${s.key}` },
            });
            assert.equal(r.statusCode, 200, `${path}: ${r.body}`);
            // When each run added its people is each run's own clock, not a figure of the demo.
            const body = JSON.parse(r.body, (k, v) => (k === 'added_at' ? undefined : v));
            rows.push(...(body.data ?? [body]));
            next = body.next_page ?? null;
          } while (next);
          return rows;
        });
        assert.ok(a.length > 0, `${path} answers rows`);
        assert.deepEqual(b, a, path);
      }
    });

    it('every POST .../query panel is the same: each dimension, every metric', async () => {
      for (const dims of [[], ...DIMENSIONS.map((d) => [d]), ['time:day', 'model'], ['time:week', 'client']]) {
        for (const date_range of ['7d', '30d']) {
          // Threads are counted per client, not per model; current_streak is asked as the ranking
          // asks it (with every metric, PostgreSQL answers a 500 today: noted, not this change's).
          const metrics = METRICS.filter((m) => m !== 'current_streak' && (m !== 'threads' || !dims.includes('model')));
          if (dims.length === 1 && dims[0] === 'user') metrics.splice(0, metrics.length, ...RANKING);
          const body = { metrics, dimensions: dims, date_range };
          const { a, b } = await both(async (s) => {
            const r = await s.t.app.inject({
              method: 'POST',
              url: `/v1/analytics/codex/workspaces/${s.t.workspaceId}/query`,
              headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
              payload: JSON.stringify(body),
            });
            assert.equal(r.statusCode, 200, `${JSON.stringify(body)}: ${r.body}`);
            return r.json().data;
          });
          assert.ok(a.length > 0, JSON.stringify(body));
          assert.deepEqual(b, a, JSON.stringify(body));
        }
      }
    });

    it('both archives verify and hold the archived days alone', async () => {
      for (const s of sides) {
        const report = await verifyChain(s.t.store.db, s.t.workspaceId);
        assert.equal(report.ok, true, JSON.stringify(report));
      }
      // The same records of the same events (their ids and append times are each run's own).
      const { a, b } = await both(async (s) =>
        (
          await s.t.store.db
            .selectFrom('compliance_records')
            .select(['event_type', 'ts', 'user_id', 'thread_id'])
            .where('event_type', 'in', ['CODEX_LOG', 'CODEX_SECURITY_LOG'])
            .execute()
        )
          .map((r) => JSON.stringify([r.event_type, Number(r.ts), r.user_id, r.thread_id]))
          .sort(),
      );
      assert.ok(a.length > 100, `${a.length} Codex records`);
      const archivedFrom = (dayOf(NOW) - SPEC.archiveDays + 1) * DAY_MS;
      assert.ok(
        a.every((r: string) => JSON.parse(r)[1] >= archivedFrom),
        'only the archived days are in the chain',
      );
      assert.deepEqual(b, a);
    });
  });
}

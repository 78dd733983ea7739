// GET .../freshness on both databases: per source the newest event time among the facts it stored
// and when it stored one, each equal to what this file reads from the payloads it sends (OTLP from
// the real 0.169 captures, a real session file over POST /v1/ingest/rollouts, a Code Review batch);
// a replay moves nothing; every source is listed; migration 0045's fill from stored facts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { makeApp, type TestApp } from '../support/app.js';
import { FIXTURES, loadOtlp, records } from '../support/otlp.js';
import { EXEC } from '../support/rollout-fixtures.js';
import { DIALECTS } from '../support/stores.js';

const RUN = 'events-0.169/agent-response-skill';
const bodies = () =>
  fs
    .readdirSync(path.join(FIXTURES, 'otlp', RUN))
    .filter((f) => f.startsWith('otel-logs-'))
    .sort()
    .map((f) => loadOtlp(`${RUN}/${f}`));

async function wireLines(file: string): Promise<WireLine[]> {
  const lines: WireLine[] = [];
  for await (const b of readLineBatches(file, 0, 0, 1 << 30)) for (const r of b.lines) lines.push(toWireLine(r));
  return lines;
}

for (const dialect of DIALECTS) {
  describe(`GET .../freshness (${dialect})`, () => {
    let t: TestApp;
    let ingest: string;
    let read: string;
    before(async () => {
      t = await makeApp(dialect, { github: { bot_logins: ['codex-gitlab-bot'] } });
      await t.user('dev@example.com');
      ingest = await t.key(['ingest.write'], 'dev@example.com');
      read = await t.key(['codex.enterprise.analytics.read']);
    });
    after(async () => t?.close());

    const post = async (url: string, body: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url,
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r;
    };
    const freshness = async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/freshness`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const source = (f: any, s: string) => f.sources.find((x: any) => x.source === s);
    // The newest fact of a source, read from the fact tables themselves.
    const newestFact = async (src: string) => {
      let m = 0;
      for (const [table, col] of [
        ['turns', 'ts'],
        ['model_requests', 'ts'],
        ['tool_events', 'ts'],
        ['codex_events', 'ts'],
        ['threads', 'first_seen_at'],
      ] as const) {
        const r = await (t.store.db as any)
          .selectFrom(table)
          .select((eb: any) => eb.fn.max(col).as('m'))
          .where('source', '=', src)
          .executeTakeFirst();
        if (r?.m != null && Number(r.m) > m) m = Number(r.m);
      }
      return m;
    };

    it('lists every source with nulls before anything arrives', async () => {
      const f = await freshness();
      assert.equal(f.object, 'codex.freshness');
      assert.equal(f.newest_event_at, null);
      assert.deepEqual(
        f.sources.map((s: any) => [s.source, s.newest_event_at, s.stored_at]),
        ['otlp', 'rollout', 'api', 'code_review'].map((s) => [s, null, null]),
      );
    });

    let otlpNewest = 0;
    it('OTLP: the newest event.timestamp among the records stored, and when; a replay moves nothing', async () => {
      const t0 = Date.now();
      for (const b of bodies()) await post('/v1/logs', b);
      const t1 = Date.now();
      // Ground truth from the payloads: every record that becomes a fact carries event.timestamp.
      const stamps = bodies().flatMap((b) => [...records(b)].map((a) => Date.parse(String(a['event.timestamp']))));
      otlpNewest = Math.max(...stamps.filter((n) => Number.isFinite(n)));
      const f = await freshness();
      const o = source(f, 'otlp');
      assert.equal(o.newest_event_at, await newestFact('otlp'));
      // The last record (codex.agent_response) makes no fact of its own; the facts end just before it.
      assert.ok(o.newest_event_at <= otlpNewest && o.newest_event_at > otlpNewest - 1000);
      otlpNewest = o.newest_event_at;
      assert.ok(o.stored_at >= t0 && o.stored_at <= t1, `${o.stored_at} in [${t0}, ${t1}]`);
      assert.equal(f.newest_event_at, otlpNewest);
      assert.equal(source(f, 'rollout').newest_event_at, null);

      for (const b of bodies()) await post('/v1/logs', b);
      assert.deepEqual(source(await freshness(), 'otlp'), o, 'a replay stores nothing new');
    });

    it('session files: the newest timestamp of the file’s facts; the overall newest is the later source', async () => {
      const lines = await wireLines(EXEC);
      const t0 = Date.now();
      const up = await post('/v1/ingest/rollouts', {
        host: 'laptop',
        installation_id: 'inst-1',
        files: [
          {
            path: '/home/dev/.codex/sessions/2026/11/22/' + path.basename(EXEC),
            offset: 0,
            line: 0,
            lines,
            final: true,
          },
        ],
      });
      assert.equal(up.json().files[0].status, 'stored', up.body);
      const t1 = Date.now();
      const newest = await newestFact('rollout');
      // Within the file's own times, and no earlier than its last turn_context (a fact: the turn).
      const stamps = lines.flatMap((l) => {
        if (!l.t) return [];
        const j = JSON.parse(l.t);
        return [{ ts: Date.parse(j.timestamp), kind: j.type }];
      });
      const lastTurn = Math.max(...stamps.filter((x) => x.kind === 'turn_context').map((x) => x.ts));
      assert.ok(newest >= lastTurn && newest <= Math.max(...stamps.map((x) => x.ts)), `${newest} >= ${lastTurn}`);
      const f = await freshness();
      const r = source(f, 'rollout');
      assert.equal(r.newest_event_at, newest);
      assert.ok(r.stored_at >= t0 && r.stored_at <= t1);
      assert.equal(f.newest_event_at, Math.max(newest, otlpNewest));
    });

    it('Code Review: the newest fact of a batch that changed something; a re-sent batch moves nothing', async () => {
      const at = Date.parse('2026-11-20T10:00:00Z');
      const batch = [
        {
          type: 'review',
          id: 1,
          repository: 'acme/api',
          pull_request: 7,
          author: { login: 'codex-gitlab-bot' },
          created_at: new Date(at).toISOString(),
        },
        {
          type: 'comment',
          id: 2,
          repository: 'acme/api',
          pull_request: 7,
          review_id: 1,
          author: { login: 'codex-gitlab-bot' },
          created_at: new Date(at + 90_000).toISOString(),
          thread_id: 't2',
          body: '[P1] Title',
        },
      ];
      const t0 = Date.now();
      await post('/v1/ingest/code_review_events', { host: 'gitlab', events: batch });
      const t1 = Date.now();
      const c = source(await freshness(), 'code_review');
      assert.equal(c.newest_event_at, at + 90_000);
      assert.ok(c.stored_at >= t0 && c.stored_at <= t1);
      await post('/v1/ingest/code_review_events', { host: 'gitlab', events: batch });
      assert.deepEqual(source(await freshness(), 'code_review'), c);
    });

    it('an ingest key cannot read it; unknown parameters are refused by name', async () => {
      const base = `/v1/analytics/codex/workspaces/${t.workspaceId}/freshness`;
      const r = await t.app.inject({ method: 'GET', url: base, headers: { authorization: `Bearer ${ingest}` } });
      assert.equal(r.statusCode, 403, r.body);
      const bad = await t.app.inject({
        method: 'GET',
        url: `${base}?since=1`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(bad.statusCode, 422, bad.body);
      assert.match(bad.body, /since/);
    });
  });
}

// The offline report's buckets on both databases: local days in a time zone (a +5:45 zone, a zone
// with a DST change that day, UTC), ISO weeks starting Monday, months, threads; --since/--until
// inclusive local dates; ccusage's token semantics (input = uncached, total = input + output).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../../src/app/runtime.js';
import { importRollouts } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { buildReport } from '../../src/session-files/report.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const THREAD = '019c0000-0000-7000-8000-0000000000aa';
// Four responses around midnight UTC of Sunday 2026-03-08 (US daylight saving starts at 10:00 UTC).
const AT = [
  '2026-03-07T23:50:00.000Z',
  '2026-03-08T00:10:00.000Z',
  '2026-03-08T18:20:00.000Z',
  '2026-03-09T06:00:00.000Z',
];
const USAGE = AT.map((_, i) => ({
  input_tokens: 1000 * (i + 1),
  cached_input_tokens: 100 * (i + 1),
  output_tokens: 10 * (i + 1),
  reasoning_output_tokens: i,
  total_tokens: 1010 * (i + 1),
}));

function sessionFile(): string {
  const lines: unknown[] = [
    {
      timestamp: '2026-03-07T23:49:00.000Z',
      type: 'session_meta',
      payload: {
        id: THREAD,
        timestamp: '2026-03-07T23:49:00.000Z',
        cwd: '/w',
        originator: 'codex_cli_rs',
        cli_version: '0.46.0',
      },
    },
  ];
  const total = {
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0,
    total_tokens: 0,
  };
  AT.forEach((ts, i) => {
    const t0 = new Date(Date.parse(ts) - 1000).toISOString();
    lines.push({
      timestamp: t0,
      type: 'turn_context',
      payload: { cwd: '/w', model: 'gpt-5', approval_policy: 'never', sandbox_policy: { type: 'read-only' } },
    });
    lines.push({
      timestamp: t0,
      type: 'event_msg',
      payload: { type: 'user_message', message: `prompt ${i}`, images: [] },
    });
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += USAGE[i]![k];
    lines.push({
      timestamp: ts,
      type: 'event_msg',
      payload: { type: 'token_count', info: { total_token_usage: { ...total }, last_token_usage: USAGE[i] } },
    });
  });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

for (const dialect of DIALECTS) {
  describe(`report buckets (${dialect})`, () => {
    let store: TestStore;
    let dir: string;
    let ws: string;
    before(async () => {
      store = await makeStore(dialect);
      dir = await mkdtemp(path.join(os.tmpdir(), 'steward-report-'));
      const f = path.join(dir, 'sessions', '2026', '03', '07', `rollout-2026-03-07T23-49-00-${THREAD}.jsonl`);
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(f, sessionFile());
      const owner = await localOwner(store.db, 'me@here', cliActor());
      ws = owner.workspace.id;
      const s = await importRollouts(createRuntime(store).ingest, {
        paths: [path.join(dir, 'sessions')],
        principal: owner.principal,
        creditsPerUsd: 25,
        now: () => Date.now() + 3_600_000,
      });
      assert.equal(s.responses, 4);
    });
    after(async () => {
      await store.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    const daily = async (timezone: string, extra: { since?: string; until?: string } = {}) => {
      const r = await buildReport(store.db, 'daily', { workspaceId: ws, timezone, ...extra });
      return r.rows.map((x) => [x.date, x.requests, x.turns]);
    };

    it('local days follow the time zone', async () => {
      assert.deepEqual(await daily('UTC'), [
        ['2026-03-07', 1, 1],
        ['2026-03-08', 2, 2],
        ['2026-03-09', 1, 1],
      ]);
      assert.deepEqual(await daily('Asia/Kathmandu'), [
        ['2026-03-08', 2, 2],
        ['2026-03-09', 2, 2],
      ]);
      assert.deepEqual(await daily('America/Los_Angeles'), [
        ['2026-03-07', 2, 2],
        ['2026-03-08', 2, 2],
      ]);
    });

    it('--since/--until are inclusive local dates', async () => {
      assert.deepEqual(await daily('UTC', { since: '20260308', until: '2026-03-08' }), [['2026-03-08', 2, 2]]);
      assert.deepEqual(await daily('Asia/Kathmandu', { since: '2026-03-09' }), [['2026-03-09', 2, 2]]);
    });

    it('weeks start on Monday; months; threads; ccusage token semantics and cost', async () => {
      const w = await buildReport(store.db, 'weekly', { workspaceId: ws, timezone: 'UTC' });
      assert.deepEqual(
        w.rows.map((x) => [x.week, x.requests]),
        [
          ['2026-03-02', 3],
          ['2026-03-09', 1],
        ],
      );
      const m = await buildReport(store.db, 'monthly', { workspaceId: ws, timezone: 'UTC' });
      assert.deepEqual(
        m.rows.map((x) => [x.month, x.requests, x.threads]),
        [['2026-03', 4, 1]],
      );
      const s = await buildReport(store.db, 'session', { workspaceId: ws, timezone: 'UTC' });
      assert.equal(s.rows.length, 1);
      assert.equal(s.rows[0]!.sessionId, THREAD);
      assert.equal(s.rows[0]!.lastActivity, AT[3]);
      const t = m.totals;
      const sum = (f: (u: (typeof USAGE)[0]) => number) => USAGE.reduce((n, u) => n + f(u), 0);
      assert.equal(
        t.inputTokens,
        sum((u) => u.input_tokens - u.cached_input_tokens),
      );
      assert.equal(
        t.cacheReadTokens,
        sum((u) => u.cached_input_tokens),
      );
      assert.equal(
        t.outputTokens,
        sum((u) => u.output_tokens),
      );
      assert.equal(
        t.reasoningOutputTokens,
        sum((u) => u.reasoning_output_tokens),
      );
      assert.equal(
        t.totalTokens,
        sum((u) => u.input_tokens + u.output_tokens),
      );
      const usd =
        sum(
          (u) => (u.input_tokens - u.cached_input_tokens) * 1.25 + u.cached_input_tokens * 0.125 + u.output_tokens * 10,
        ) / 1e6;
      assert.ok(Math.abs(t.costUSD - usd) < 1e-12);
      assert.deepEqual(Object.keys(m.rows[0]!.models), ['gpt-5']);
    });

    it('refuses an unknown time zone and a bad date with the parameter named', async () => {
      await assert.rejects(buildReport(store.db, 'daily', { workspaceId: ws, timezone: 'Mars/Olympus' }), /timezone/);
      await assert.rejects(buildReport(store.db, 'daily', { workspaceId: ws, since: '2026-13-45' }), /since/);
    });
  });
}

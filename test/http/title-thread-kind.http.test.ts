// The TUI's hidden title-generation thread (telemetry reference §3.9) costs tokens but is no user
// thread and its prompt no user turn. OTLP names it only by its prompt, after its
// conversation_starts (in the same batch or a later one), so its stored kind must follow that prompt: `steward report --full`'s counted
// turns read the kind from the thread row. The real 0.169 TUI capture (OTLP and its session file, in
// both orders), compared with the Analytics API, the session-file report and the fixture lines.
import assert from 'node:assert/strict';
import { mkdtemp, rm, copyFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { buildReport } from '../../src/session-files/report.service.js';
import { up as repairTitleKinds } from '../../src/migrations/0038_title_thread_kind.js';
import { reportFromSlots, usagePass } from '../../src/session-files/client/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp, records, truthOf } from '../support/otlp.js';
import { TUI_GZ } from '../support/rollout-fixtures.js';
import { DIALECTS } from '../support/stores.js';

const PAYLOAD = loadOtlp('tui.otel-logs.json');
const OTLP = JSON.stringify(PAYLOAD);
// One request per log record, as an exporter flushing often sends them: the title prompt then
// arrives in a later batch than its thread's start.
const EACH = PAYLOAD.resourceLogs.flatMap((rl: any) =>
  rl.scopeLogs.flatMap((sl: any) =>
    sl.logRecords.map((r: any) =>
      JSON.stringify({ resourceLogs: [{ ...rl, scopeLogs: [{ ...sl, logRecords: [r] }] }] }),
    ),
  ),
);
const TITLE_THREAD = '01a200e3-4ac1-73a2-a1d1-7beeb1934629';

async function fileLines(): Promise<any[]> {
  const out: any[] = [];
  const rl = readline.createInterface({ input: createReadStream(TUI_GZ).pipe(createGunzip()) });
  for await (const l of rl) if (l.trim()) out.push(JSON.parse(l));
  return out;
}

// Ground truth from the lines themselves: OTLP's user prompts (the title prompt is none) and
// every response.completed; the file's task_started turns and token_usage_record responses.
async function truth() {
  const otlp = truthOf([PAYLOAD]);
  const lines = await fileLines();
  const fileTurns = lines.filter((l) => l.type === 'event_msg' && l.payload?.type === 'task_started').length;
  const usage = lines.filter((l) => l.type === 'token_usage_record').map((l) => l.payload.usage);
  const fileTokens = usage.reduce((n, u) => n + u.input_tokens + u.output_tokens, 0);
  const titleTokens = [...records(PAYLOAD)]
    .filter((a) => a['conversation.id'] === TITLE_THREAD && a.input_token_count !== undefined)
    .reduce((n, a) => n + Number(a.input_token_count) + Number(a.output_token_count), 0);
  return { otlp, fileTurns, fileResponses: usage.length, fileTokens, titleTokens };
}

async function uploadBody(): Promise<string> {
  const lines: WireLine[] = [];
  for await (const b of readLineBatches(TUI_GZ, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
  return JSON.stringify({
    host: 'dev-host',
    installation_id: '0f0e0d0c-0b0a-4909-8807-060504030201',
    files: [
      {
        path: `/home/dev/.codex/sessions/2026/11/22/${path.basename(TUI_GZ).replace(/\.gz$/, '')}`,
        offset: 0,
        line: 0,
        lines,
        final: true,
      },
    ],
  });
}

for (const dialect of DIALECTS) {
  describe(`the title-generation thread is no user thread in any read (${dialect})`, () => {
    let upload = '';
    let t: Awaited<ReturnType<typeof truth>>;
    const apps: TestApp[] = [];
    before(async () => {
      upload = await uploadBody();
      t = await truth();
    });
    after(async () => {
      for (const a of apps) await a.close();
    });

    // The ground truth itself: one user thread with one turn; the title thread has tokens.
    it('the capture has a title thread whose tokens OTLP alone reports', () => {
      assert.equal(t.otlp.threads.size, 1);
      assert.equal(t.otlp.turns, 1);
      assert.equal(t.fileTurns, 1);
      assert.ok(t.titleTokens > 0);
      assert.equal(t.otlp.input + t.otlp.output, t.fileTokens + t.titleTokens);
    });

    for (const order of [
      ['otlp', 'file'],
      ['file', 'otlp'],
      ['otlp-each', 'file'],
    ] as const) {
      it(`${order.join(' then ')}: report --full, the Analytics API and the ground truth agree`, async () => {
        const app = await makeApp(dialect);
        apps.push(app);
        await app.user('dev@example.com');
        const key = await app.key(['ingest.write'], 'dev@example.com');
        for (const what of [...order, ...order]) {
          const bodies = what === 'file' ? [upload] : what === 'otlp' ? [OTLP] : EACH;
          for (const payload of bodies) {
            const r = await app.app.inject({
              method: 'POST',
              url: what === 'file' ? '/v1/ingest/rollouts' : '/v1/logs',
              payload,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            });
            assert.equal(r.statusCode, 200, r.body);
          }
        }
        // What `steward report --full --all-users` prints (report-store.ts), per thread and per day.
        for (const k of ['session', 'daily'] as const) {
          const rep = await buildReport(app.store.db, k, { workspaceId: app.workspaceId, timezone: 'UTC' });
          assert.deepEqual(
            { threads: rep.totals.threads, turns: rep.totals.turns, tokens: rep.totals.totalTokens },
            { threads: 1, turns: 1, tokens: t.otlp.input + t.otlp.output },
            `report ${k}`,
          );
        }

        const start = Date.parse('2026-11-21T00:00:00Z') / 1000;
        const end = Date.parse('2026-11-24T00:00:00Z') / 1000;
        const r = await app.app.inject({
          method: 'GET',
          url: `/v1/analytics/codex/workspaces/${app.workspaceId}/usage?start_time=${start}&end_time=${end}&group=workspace&limit=1000`,
          headers: { authorization: `Bearer ${app.ownerKey}` },
        });
        assert.equal(r.statusCode, 200, r.body);
        const rows = r.json().data as { totals: Record<string, number> }[];
        const sum = (f: string) => rows.reduce((n, x) => n + (x.totals[f] ?? 0), 0);
        assert.deepEqual(
          {
            threads: sum('threads'),
            turns: sum('turns'),
            tokens: sum('uncached_text_input_tokens') + sum('cached_text_input_tokens') + sum('text_output_tokens'),
          },
          { threads: 1, turns: 1, tokens: t.otlp.input + t.otlp.output },
          'Analytics API',
        );
        const kind = await app.store.db
          .selectFrom('threads')
          .select('thread_kind')
          .where('thread_id', '=', TITLE_THREAD)
          .executeTakeFirstOrThrow();
        assert.equal(kind.thread_kind, 'title', 'the stored kind');
      });
    }

    // Stores written before the fix hold the title thread as 'user': migration 0038 repairs them and
    // leaves the user thread alone, so report --full then agrees with the API there too.
    it('migration 0038 repairs a title thread stored as a user thread', async () => {
      const app = await makeApp(dialect);
      apps.push(app);
      await app.user('dev@example.com');
      const key = await app.key(['ingest.write'], 'dev@example.com');
      const r = await app.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: OTLP,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      await app.store.db
        .updateTable('threads')
        .set({ thread_kind: 'user' })
        .where('thread_id', '=', TITLE_THREAD)
        .execute();
      const before = await buildReport(app.store.db, 'session', { workspaceId: app.workspaceId, timezone: 'UTC' });
      assert.equal(before.totals.threads, 2, 'the state an old store is in');
      await repairTitleKinds(app.store.db as never);
      const kinds = await app.store.db
        .selectFrom('threads')
        .select(['thread_id', 'thread_kind'])
        .orderBy('thread_id')
        .execute();
      assert.deepEqual(
        kinds.map((k) => [k.thread_id === TITLE_THREAD, k.thread_kind]),
        kinds.map((k) => [k.thread_id === TITLE_THREAD, k.thread_id === TITLE_THREAD ? 'title' : 'user']),
      );
      const after = await buildReport(app.store.db, 'session', { workspaceId: app.workspaceId, timezone: 'UTC' });
      assert.deepEqual({ threads: after.totals.threads, turns: after.totals.turns }, { threads: 1, turns: 1 });
    });

    // `steward report` (the usage-only pass) sees the session file only: no title thread at all.
    it('the session-file report counts the file: one thread, one turn, its tokens', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-title-'));
      try {
        await copyFile(TUI_GZ, path.join(dir, path.basename(TUI_GZ)));
        const p = await usagePass({ paths: [dir], cachePath: path.join(dir, 'cache.json'), creditsPerUsd: 25 });
        const rep = reportFromSlots('session', { timezone: 'UTC' }, p.usage, p.turns);
        assert.deepEqual(
          { threads: rep.totals.threads, turns: rep.totals.turns, tokens: rep.totals.totalTokens },
          { threads: 1, turns: t.fileTurns, tokens: t.fileTokens },
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

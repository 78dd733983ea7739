// Reconciliation: the same real Codex runs (0.169) arrive twice, as the OTLP logs Codex exported
// and as its session files uploaded to /v1/ingest/rollouts, in both orders, on SQLite and
// PostgreSQL (in-process server). Every thread, turn and model response must be counted once, the
// stored rows must carry the session file's ids (the richer record), and replaying either source
// again must change nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import zlib from 'node:zlib';
import { ok, usageTruth } from './support/truth.js';
import { startMockModel, type MockModel, type RecordedResponse } from './support/mock-model.js';
import { makeCodexHome, runCodex, execArgs, listRollouts, CODEX_JS, type CodexHome } from './support/codex.js';
import { startOtlpSink, type OtlpSink, type SinkRequest } from './support/otlp-sink.js';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { sessionItems } from '../support/compliance.js';
import { readLineBatches, toWireLine } from '../../src/session-files/adapter/lines.js';

const skip = existsSync(CODEX_JS) ? false : 'codex CLI not installed (npm i)';

describe('e2e: one Codex run sent by OTLP and by session file counts once', { skip }, () => {
  let mock: MockModel;
  let sink: OtlpSink;
  let home: CodexHome;
  let otlp: SinkRequest[] = [];
  let upload: { host: string; installation_id: string; files: unknown[] };
  let responses: RecordedResponse[] = [];

  before(async () => {
    // The tool step and the answer of the first turn report the same usage: matching must pair
    // them one to one (by time), not twice to the same fact.
    const same = { input_tokens: 6_400, cached_input_tokens: 2_048, output_tokens: 77, reasoning_tokens: 13 };
    mock = await startMockModel({
      usage: (c) =>
        c.index < 2
          ? same
          : {
              input_tokens: 4_000 + c.index * 997,
              cached_input_tokens: 900 + c.index * 77,
              output_tokens: 50 + c.index * 21,
              reasoning_tokens: 4 + c.index,
            },
    });
    sink = await startOtlpSink();
    home = await makeCodexHome({ mockUrl: mock.url, otel: { endpoint: sink.logsUrl, protocol: 'json' } });
    ok(await runCodex(home, execArgs(home, 'run echo hi in the shell')), 'exec with a tool call');
    ok(await runCodex(home, execArgs(home, 'second turn, no tools please', { resumeLast: true })), 'resume');
    ok(
      await runCodex(home, execArgs(home, 'another thread, no tools', { extra: ['-m', 'gpt-5-mini'] })),
      'second thread',
    );
    responses = [...mock.responses];
    // Codex flushes its exporter at exit; the last POST can land just after.
    await sink.waitFor(
      (reqs) => reqs.filter((r) => r.path === '/v1/logs' && r.body.includes('"response.completed"')).length > 0,
      5000,
    );
    await new Promise((r) => setTimeout(r, 300));
    otlp = sink.logs();
    const files = [];
    for (const f of await listRollouts(home)) {
      const lines = [];
      for await (const b of readLineBatches(f, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
      files.push({ path: f, offset: 0, line: 0, lines, final: true });
    }
    upload = { host: 'e2e-host', installation_id: '0f0e0d0c-0b0a-4909-8807-060504030201', files };
    assert.equal(files.length, 2);
  });

  after(async () => {
    await mock?.close();
    await sink?.close();
    await home?.cleanup();
  });

  for (const dialect of DIALECTS) {
    for (const order of ['otlp-first', 'rollout-first'] as const) {
      describe(`${dialect}, ${order}`, () => {
        let t: TestApp;
        let key: string;
        before(async () => {
          t = await makeApp(dialect);
          await t.user('dev@example.com');
          key = await t.key(['ingest.write'], 'dev@example.com');
        });
        after(() => t.close());

        const sendOtlp = async () => {
          for (const r of otlp) {
            const res = await t.app.inject({
              method: 'POST',
              url: '/v1/logs',
              headers: { authorization: `Bearer ${key}`, 'content-type': r.contentType },
              payload: r.body,
            });
            assert.equal(res.statusCode, 200, res.body);
            assert.ok(!res.body.includes('rejected'), res.body);
          }
        };
        const sendRollouts = async () => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/v1/ingest/rollouts',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
            payload: zlib.gzipSync(JSON.stringify(upload)),
          });
          assert.equal(res.statusCode, 200, res.body);
          return res.json();
        };
        const totals = async () => {
          const start = Math.floor(Date.now() / 1000) - 2 * 86_400;
          const res = await t.app.inject({
            method: 'GET',
            url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=workspace&start_time=${start}`,
            headers: { authorization: `Bearer ${t.ownerKey}` },
          });
          assert.equal(res.statusCode, 200, res.body);
          const out: Record<string, number> = {};
          for (const row of res.json().data as { totals: Record<string, number> }[])
            for (const [k, v] of Object.entries(row.totals)) out[k] = (out[k] ?? 0) + v;
          return out;
        };
        const check = (got: Record<string, number>, what: string) => {
          const truth = usageTruth(responses);
          for (const [k, v] of Object.entries(truth)) {
            if (k === 'cost_usd')
              assert.ok(Math.abs(got.cost_usd! - v) < 1e-9, `${what} cost_usd ${got.cost_usd} vs ${v}`);
            else if (k === 'threads') assert.ok(got.threads === v, `${what} threads ${got.threads} vs ${v}`);
            else assert.equal(got[k], v, `${what} ${k}`);
          }
        };

        it('counts every thread, turn and response once; keeps the session file ids; replays change nothing', async () => {
          if (order === 'otlp-first') {
            await sendOtlp();
            check(await totals(), 'OTLP alone');
            const r = await sendRollouts();
            assert.equal(r.stored.requests, 0, 'every response was already there (by OTLP)');
            assert.equal(r.stored.turns, 0);
          } else {
            const r = await sendRollouts();
            assert.equal(r.stored.requests, responses.length);
            await sendOtlp();
          }
          const both = await totals();
          check(both, 'both sources');
          // The richer record: every stored response carries its response_id, every turn its turn_id.
          const rows = await t.store.db
            .selectFrom('model_requests')
            .select(['response_id', 'turn_id', 'source'])
            .execute();
          assert.equal(rows.length, responses.length);
          assert.deepEqual(rows.map((r) => r.response_id).sort(), responses.map((r) => r.responseId).sort());
          const turns = await t.store.db.selectFrom('turns').select(['turn_id']).execute();
          assert.deepEqual(turns.map((x) => x.turn_id).sort(), [...new Set(responses.map((r) => r.turnId))].sort());
          // Content from the files is there whichever came first.
          const content = (await sessionItems(t.store.db)).map((r) => r.content);
          assert.ok(
            content.some((c) => c.item_kind === 'tool_call') &&
              content.some((c) => c.item_kind === 'assistant_message'),
          );
          // Replays of either source change nothing.
          await sendOtlp();
          const again = await sendRollouts();
          assert.ok(again.files.every((f: { status: string }) => f.status === 'duplicate'));
          assert.deepEqual(await totals(), both);
          // The machine is recorded.
          const m = await t.store.db.selectFrom('rollout_machines').selectAll().execute();
          assert.equal(m.length, 1);
          assert.equal(m[0]!.host_name, 'e2e-host');
          assert.equal(m[0]!.installation_id, upload.installation_id);
        });
      });
    }
  }
});

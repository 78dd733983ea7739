import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ExportLogsServiceResponse } from '../../src/ingest/otlp/schema.js';
import { makeApp, type TestApp } from '../support/app.js';
import { FIXTURES, loadOtlp, shiftTimes, truthOf } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const FIXTURE_NAMES = ['exec-json', 'exec-resume', 'tui', 'appserver-vscode', 'review', 'auth-chatgpt', 'auth-apikey'];
const PRICES: Record<string, [number, number, number]> = { 'gpt-5.5': [5, 0.5, 30], 'gpt-5': [1.25, 0.125, 10] };

for (const dialect of DIALECTS) {
  describe(`POST /v1/logs (${dialect})`, () => {
    let t: TestApp;
    let ingestKey: string;
    const now = Date.now();
    const payloads = FIXTURE_NAMES.map((n, i) =>
      shiftTimes(loadOtlp(`${n}.otel-logs.json`), now - 3600_000 + i * 60_000),
    );

    const post = (body: Buffer | string, headers: Record<string, string> = {}, key: string | null = ingestKey) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: body,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      });
    const usage = async (query: string) => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?${query}`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };

    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      ingestKey = await t.key(['ingest.write'], 'dev@example.com');
    });
    after(() => t.close());

    it('ingests every capture and the usage API equals the ground truth, also after replaying each payload', async () => {
      for (let pass = 0; pass < 2; pass++) {
        for (const p of payloads) {
          const r = await post(JSON.stringify(p));
          assert.equal(r.statusCode, 200, r.body);
          assert.deepEqual(r.json(), {});
        }
        const truth = truthOf(payloads);
        const page = await usage('group=workspace&group_by=week');
        const totals = page.data.reduce(
          (acc: any, row: any) => {
            for (const k of Object.keys(acc)) acc[k] += row.totals[k];
            return acc;
          },
          {
            threads: 0,
            turns: 0,
            uncached_text_input_tokens: 0,
            cached_text_input_tokens: 0,
            text_output_tokens: 0,
            reasoning_output_tokens: 0,
            text_total_tokens: 0,
            cost_usd: 0,
            credits: 0,
          },
        );
        assert.equal(totals.turns, truth.turns);
        assert.equal(totals.threads, truth.threads.size);
        assert.equal(totals.uncached_text_input_tokens, truth.input - truth.cached);
        assert.equal(totals.cached_text_input_tokens, truth.cached);
        assert.equal(totals.text_output_tokens, truth.output);
        assert.equal(totals.reasoning_output_tokens, truth.reasoning);
        assert.equal(totals.text_total_tokens, truth.input + truth.output);
        let cost = 0;
        for (const [model, m] of truth.byModel) {
          const [pi, pc, po] = PRICES[model] ?? PRICES['gpt-5']; // unknown models: documented gpt-5 fallback
          cost += ((m.input - m.cached) * pi + m.cached * pc + m.output * po) / 1e6;
        }
        assert.ok(Math.abs(totals.cost_usd - cost) < 1e-9, `cost ${totals.cost_usd} vs ${cost}`);
        assert.ok(Math.abs(totals.credits - cost * 25) < 1e-9);
      }
    });

    it('decodes the protobuf capture and gzip bodies', async () => {
      const pb = fs.readFileSync(path.join(FIXTURES, 'otlp', 'exec-binary.otel-logs.pb'));
      const r = await post(pb, { 'content-type': 'application/x-protobuf' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-type'], 'application/x-protobuf');
      // The reply is an ExportLogsServiceResponse without partial_success: every record accepted.
      const reply = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(r.rawPayload));
      assert.equal(reply.partialSuccess, undefined);
      const gz = zlib.gzipSync(JSON.stringify(payloads[0]));
      const r2 = await post(gz, { 'content-encoding': 'gzip' });
      assert.equal(r2.statusCode, 200, r2.body);
    });

    it('lands the good records of a batch and reports the bad one in partialSuccess', async () => {
      const p = shiftTimes(loadOtlp('exec-json.otel-logs.json'), now - 7200_000);
      const recs = p.resourceLogs[0].scopeLogs[1].logRecords;
      const sse = recs.find((r: any) => r.attributes.some((a: any) => a.key === 'input_token_count'));
      const bad = JSON.parse(JSON.stringify(sse));
      bad.attributes.find((a: any) => a.key === 'input_token_count').value = { stringValue: 'lots' };
      recs.push(bad);
      const before = await usage('group=workspace&group_by=week');
      const r = await post(JSON.stringify(p));
      assert.equal(r.statusCode, 200);
      const body = r.json();
      assert.equal(body.partialSuccess.rejectedLogRecords, 1);
      assert.match(body.partialSuccess.errorMessage, /invalid_attribute.*input token count/);
      const afterPage = await usage('group=workspace&group_by=week');
      const sum = (pg: any) => pg.data.reduce((a: number, row: any) => a + row.totals.text_output_tokens, 0);
      assert.equal(sum(afterPage) - sum(before), 70); // the two good responses of the re-timed thread: 40 + 30
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /steward_ingest_rejected_records_total\{source="otlp",reason="invalid_attribute"\} 1/);
    });
  });
}

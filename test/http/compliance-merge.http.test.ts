// One real Codex session (0.169 exec + resume) sent as its OTLP capture and as its session file, in
// both orders and racing, on both databases: the chain keeps every source's record (a later source
// appends a completion), and the merged view of the CODEX_LOG facts is the same whatever the order,
// with the assistant's text and the session file's ids. Replays of either source append nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { foldFacts, type FactRecord } from '../../src/core/compliance-merge.js';
import { exportChunks, mergedExportChunks } from '../../src/compliance/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp } from '../support/otlp.js';
import { EXEC } from '../support/rollout-fixtures.js';
import { DIALECTS } from '../support/stores.js';

const FACT_KINDS = new Set(['session_start', 'prompt', 'response', 'tool_call']);
const OTLP = JSON.stringify(loadOtlp('exec-resume.otel-logs.json'));

async function uploadBody(): Promise<string> {
  const lines: WireLine[] = [];
  for await (const b of readLineBatches(EXEC, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
  const path = `/home/dev/.codex/sessions/2026/11/22/${EXEC.split('/').pop()}`;
  return JSON.stringify({
    host: 'dev-host',
    installation_id: '0f0e0d0c-0b0a-4909-8807-060504030201',
    files: [{ path, offset: 0, line: 0, lines, final: true }],
  });
}

type Order = 'otlp-first' | 'file-first' | 'race';

for (const dialect of DIALECTS) {
  describe(`CODEX_LOG completion records and the merged view (${dialect})`, () => {
    const apps = new Map<Order, { t: TestApp; key: string; read: string }>();
    let upload = '';
    before(async () => {
      upload = await uploadBody();
      for (const order of ['otlp-first', 'file-first', 'race'] as const) {
        const t = await makeApp(dialect);
        await t.user('dev@example.com');
        apps.set(order, {
          t,
          key: await t.key(['ingest.write'], 'dev@example.com'),
          read: await t.key(['codex.enterprise.compliance.read']),
        });
      }
    });
    after(async () => {
      for (const a of apps.values()) await a.t.close();
    });

    const post = async (order: Order, what: 'otlp' | 'file') => {
      const { t, key } = apps.get(order)!;
      const r = await t.app.inject({
        method: 'POST',
        url: what === 'otlp' ? '/v1/logs' : '/v1/ingest/rollouts',
        payload: what === 'otlp' ? OTLP : upload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const codexLog = async (order: Order, view = 'records', limit = 1000): Promise<FactRecord[]> => {
      const { t, read } = apps.get(order)!;
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=CODEX_LOG&limit=${limit}&view=${view}`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().data as { id: string; content: Record<string, unknown> }[])
        .filter((x) => FACT_KINDS.has(String(x.content.kind)))
        .map((x) => ({ ...x, id: x.id, content: x.content }));
    };
    // The merged facts without what differs by store (record ids, keys, the workspace, the user).
    const merged = async (order: Order) => normal(foldFacts(await codexLog(order), () => true));
    const normal = (facts: { content: Record<string, unknown> }[]) =>
      facts
        .map((m) => {
          const { workspace_id: _w, user_id: _u, client_id: _c, ...c } = m.content;
          const request = { ...(c.request as Record<string, unknown>), key_id: null };
          return JSON.stringify({ ...c, request });
        })
        .sort();

    it('OTLP then file and file then OTLP: the same merged facts, with the text and the ids', async () => {
      await post('otlp-first', 'otlp');
      await post('otlp-first', 'file');
      await post('file-first', 'file');
      await post('file-first', 'otlp');
      const a = await merged('otlp-first');
      const b = await merged('file-first');
      assert.deepEqual(a, b);
      const facts = a.map((s) => JSON.parse(s) as Record<string, any>);
      const responses = facts.filter((f) => f.kind === 'response');
      assert.ok(responses.length >= 3, `responses: ${responses.length}`);
      // Responses both sources have (the capture's OTLP lacks the first turn's two): one fact, OTLP's
      // request identity, the file's id.
      const both = responses.filter((r) => r.fact_keys.length === 2);
      assert.ok(both.length >= 1, JSON.stringify(responses.map((r) => r.fact_keys)));
      for (const r of both) {
        assert.ok(r.response.id, `response id: ${JSON.stringify(r)}`);
        assert.equal(r.request.source, 'otlp', 'request identity from OTLP');
      }
      assert.ok(
        responses.some((r) => typeof r.response.text === 'string' && r.response.text.length > 0),
        'the assistant text',
      );
      const prompts = facts.filter((f) => f.kind === 'prompt');
      assert.equal(prompts.length, 2);
      for (const p of prompts) assert.ok(p.turn_id, 'turn id from the file');
      assert.ok(facts.some((f) => f.kind === 'tool_call' && f.tool.output !== null));
      assert.ok(facts.some((f) => f.kind === 'session_start'));
      // Every fact has a completion: each source appended one record per fact.
      for (const order of ['otlp-first', 'file-first'] as const) {
        const recs = await codexLog(order);
        const links = recs.filter((r) => r.content.completes);
        assert.ok(links.length > 0, `${order}: completion records`);
        for (const l of links) {
          const c = l.content.completes as { fact_key: string; source: string };
          assert.notEqual(c.source, (l.content.request as { source: string }).source);
          assert.ok(
            recs.some((r) => r.content.fact_key === c.fact_key && !r.content.completes),
            'links its base',
          );
        }
      }
    });

    it('search with view=merged shows the merged facts, each once, whatever the page size', async () => {
      for (const order of ['otlp-first', 'file-first'] as const) {
        const api = await codexLog(order, 'merged');
        assert.deepEqual(normal(api), await merged(order), order);
        assert.equal(new Set(api.map((x) => JSON.stringify(x.content))).size, api.length, 'each fact once');
        assert.ok(api.every((x) => (x as unknown as { record_ids: string[] }).record_ids.length >= 1));
      }
      assert.deepEqual(normal(await codexLog('otlp-first', 'merged')), normal(await codexLog('file-first', 'merged')));
    });

    it('the raw export (still the chain, verifiable offline) folds to the same facts in both orders', async () => {
      const exported = async (order: Order) => {
        const { t } = apps.get(order)!;
        let text = '';
        for await (const c of exportChunks(t.store.db, t.workspaceId, { types: ['CODEX_LOG'] })) text += c.toString();
        const recs = text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { id: string; content: Record<string, unknown> })
          .filter((x) => FACT_KINDS.has(String(x.content.kind)));
        return normal(foldFacts(recs, () => true));
      };
      assert.deepEqual(await exported('otlp-first'), await exported('file-first'));
      assert.deepEqual(await exported('otlp-first'), await merged('otlp-first'));
    });

    it('the merged export (export --view merged) holds the same facts in both orders', async () => {
      const exported = async (order: Order) => {
        const { t } = apps.get(order)!;
        let text = '';
        for await (const c of mergedExportChunks(t.store.db, t.workspaceId, {}, undefined, 512)) text += c.toString();
        const items = text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { object?: string; event_type: string; content: Record<string, unknown> })
          .filter((x) => x.event_type === 'CODEX_LOG' && FACT_KINDS.has(String(x.content.kind)));
        assert.ok(items.every((x) => x.object === 'compliance.fact'));
        return normal(items);
      };
      assert.deepEqual(await exported('otlp-first'), await exported('file-first'));
      assert.deepEqual(await exported('otlp-first'), await merged('otlp-first'));
    });

    it('replaying either source appends nothing', async () => {
      for (const order of ['otlp-first', 'file-first'] as const) {
        const n = (await codexLog(order)).length;
        await post(order, 'otlp');
        await post(order, 'file');
        assert.equal((await codexLog(order)).length, n, order);
      }
    });

    it('both sources racing give the same merged facts, once', async () => {
      await Promise.all([post('race', 'otlp'), post('race', 'file')]);
      assert.deepEqual(await merged('race'), await merged('otlp-first'));
      const n = (await codexLog('race')).length;
      assert.equal(n, (await codexLog('otlp-first')).length);
      await Promise.all([post('race', 'file'), post('race', 'otlp')]);
      assert.equal((await codexLog('race')).length, n);
    });
  });
}

// Which source stored a session start or a tool call first comes from the fact row, not from claims
// (decisions/0019, migration 0022): steady ingest from one source claims nothing, a later source's
// completions are claimed once each, and tool calls stored before 0022 (no source, the old claims)
// still get exactly one completion. The real TUI capture (tool calls in both) and its session file, both databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp } from '../support/otlp.js';
import { TUI_GZ } from '../support/rollout-fixtures.js';
import { DIALECTS } from '../support/stores.js';

const OTLP = JSON.stringify(loadOtlp('tui.otel-logs.json'));

async function uploadBody(): Promise<string> {
  const lines: WireLine[] = [];
  for await (const b of readLineBatches(TUI_GZ, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
  return JSON.stringify({
    host: 'dev-host',
    installation_id: '0f0e0d0c-0b0a-4909-8807-060504030201',
    files: [
      {
        path: `/home/dev/.codex/sessions/2026/11/22/${TUI_GZ.split('/').pop()!.replace(/\.gz$/, '')}`,
        offset: 0,
        line: 0,
        lines,
        final: true,
      },
    ],
  });
}

interface Rec {
  content: {
    kind: string;
    fact_key?: string;
    completes?: { fact_key: string; source: string };
    request?: { source: string };
  };
}

for (const dialect of DIALECTS) {
  describe(`first source of session starts and tool calls (${dialect})`, () => {
    const apps: { t: TestApp; key: string; read: string }[] = [];
    let upload = '';
    before(async () => {
      upload = await uploadBody();
      for (let n = 0; n < 2; n++) {
        const t = await makeApp(dialect);
        await t.user('dev@example.com');
        apps.push({
          t,
          key: await t.key(['ingest.write'], 'dev@example.com'),
          read: await t.key(['codex.enterprise.compliance.read']),
        });
      }
    });
    after(async () => {
      for (const a of apps) await a.t.close();
    });

    const post = async (n: number, what: 'otlp' | 'file') => {
      const { t, key } = apps[n];
      const r = await t.app.inject({
        method: 'POST',
        url: what === 'otlp' ? '/v1/logs' : '/v1/ingest/rollouts',
        payload: what === 'otlp' ? OTLP : upload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const records = async (n: number): Promise<Rec[]> => {
      const { t, read } = apps[n];
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=CODEX_LOG&limit=1000`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as Rec[];
    };
    const claims = async (n: number) =>
      (
        await apps[n].t.store.db
          .selectFrom('compliance_once')
          .select('once_key')
          .where('once_key', 'like', 'src:%')
          .execute()
      ).map((r) => r.once_key);
    // The session starts and tool calls OTLP recorded, and the completions the file appended to them.
    const shared = (recs: Rec[]) => {
      const otlpKeys = new Set(
        recs
          .filter((r) => !r.content.completes && r.content.request?.source === 'otlp')
          .filter((r) => r.content.kind === 'session_start' || r.content.kind === 'tool_call')
          .map((r) => r.content.fact_key),
      );
      const completions = recs
        .filter((r) => r.content.kind === 'session_start' || r.content.kind === 'tool_call')
        .filter((r) => r.content.completes)
        .map((r) => r.content.completes!);
      return { otlpKeys, completions };
    };

    it('one source claims nothing; the other source completes each shared fact once', async () => {
      await post(0, 'otlp');
      await post(0, 'otlp'); // an exporter's retry
      assert.deepEqual(await claims(0), [], 'steady ingest from one source claims nothing');
      await post(0, 'file');
      await post(0, 'file'); // a re-read
      const { otlpKeys, completions } = shared(await records(0));
      assert.ok(otlpKeys.size >= 2, `OTLP session starts and tool calls: ${otlpKeys.size}`);
      assert.ok(completions.length >= 2, `completions: ${completions.length}`);
      for (const c of completions) {
        assert.equal(c.source, 'otlp');
        assert.ok(otlpKeys.has(c.fact_key), `completes a record OTLP wrote: ${c.fact_key}`);
      }
      assert.equal(new Set(completions.map((c) => c.fact_key)).size, completions.length, 'once per fact');
      assert.deepEqual(
        (await claims(0)).sort(),
        completions.map((c) => `src:rollout:${c.fact_key}`).sort(),
        'a claim per completion, nothing else',
      );
    });

    it('tool calls stored before migration 0022 still get exactly one completion', async () => {
      await post(1, 'otlp');
      const db = apps[1].t.store.db;
      // What a store written before 0022 holds: no source on tool calls, the first source's claims.
      const tools = await db.selectFrom('tool_events').select('tool_key').execute();
      assert.ok(tools.length > 0);
      await sql`update tool_events set source = null`.execute(db);
      await db
        .insertInto('compliance_once')
        .values(tools.map((r) => ({ workspace_id: apps[1].t.workspaceId, once_key: `src:otlp:${r.tool_key}` })))
        .execute();
      await post(1, 'file');
      await post(1, 'file');
      const mine = shared(await records(1)).completions.filter((c) => c.fact_key.startsWith('tool:'));
      const reference = shared(await records(0)).completions.filter((c) => c.fact_key.startsWith('tool:'));
      assert.ok(reference.length > 0);
      assert.deepEqual(mine.map((c) => c.fact_key).sort(), reference.map((c) => c.fact_key).sort());
    });
  });
}

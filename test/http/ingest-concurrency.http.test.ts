// Concurrent batches are group-committed: each caller is answered after its own facts commit, and
// concurrent replays of the same batches still count once; also with the writes on the ingest
// writer thread (`steward serve` on SQLite), whose compliance records must chain like any others.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import type { DialectName } from '../../src/platform/storage/database.js';

const VARIANTS: { dialect: DialectName; thread: boolean }[] = [
  ...DIALECTS.map((dialect) => ({ dialect, thread: false })),
  { dialect: 'sqlite', thread: true },
];

for (const { dialect, thread } of VARIANTS) {
  describe(`concurrent ingest (${dialect}${thread ? ', writer thread' : ''})`, () => {
    let t: TestApp;
    const keys: string[] = [];
    before(async () => {
      t = await makeApp(dialect);
      if (thread) assert.ok(await t.ctx.runtime.startWriterThread());
      for (let u = 0; u < 4; u++) {
        await t.user(`c${u}@x.io`);
        keys.push(await t.key(['ingest.write'], `c${u}@x.io`));
      }
    });
    after(async () => {
      await t.ctx.runtime.stop();
      await t.close();
    });

    it('20 batches at once, each sent twice, count exactly once', async () => {
      const now = Date.now() - 3600_000;
      const bodies = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify(
          synthPayload([
            { conv: `conc-${i}`, ts: now + i, kind: 'prompt' },
            {
              conv: `conc-${i}`,
              ts: now + i,
              kind: 'response',
              input: 1000 + i,
              cached: 100,
              output: 10 + i,
              reasoning: 1,
            },
          ]),
        ),
      );
      // Like an OTLP exporter: a 429 (over max_concurrent_batches) is retried, backing off (20 ms
      // doubling to 200, with jitter) so that refusals do not take the CPU the batches need.
      let busy = 0;
      const post = async (body: string, i: number) => {
        for (let attempt = 0; ; attempt++) {
          const r = await t.app.inject({
            method: 'POST',
            url: '/v1/logs',
            payload: body,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[i % 4]}` },
          });
          if (r.statusCode !== 429) return r;
          busy++;
          assert.ok(r.headers['retry-after']);
          const wait = Math.min(200, 20 * 2 ** attempt);
          await new Promise((res) => setTimeout(res, wait / 2 + Math.random() * wait));
        }
      };
      const replies = await Promise.all([...bodies.map(post), ...bodies.map(post)]);
      for (const r of replies) assert.equal(r.statusCode, 200, r.body);
      void busy;
      const page = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=workspace&group_by=week`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      const sum = (k: string) => page.json().data.reduce((s: number, r: any) => s + r.totals[k], 0);
      assert.equal(sum('turns'), 20);
      assert.equal(sum('threads'), 20);
      assert.equal(
        sum('text_output_tokens'),
        Array.from({ length: 20 }, (_, i) => 10 + i).reduce((a, b) => a + b),
      );
      assert.equal(sum('cached_text_input_tokens'), 2000);
      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /steward_ingest_facts_total\{kind="turns",outcome="new"\} 20/);
      assert.match(metrics, /steward_ingest_facts_total\{kind="requests",outcome="new"\} 20/);
      const report = await verifyChain(t.store.db, t.workspaceId);
      assert.equal(report.ok, true);
      assert.ok(report.records >= 40, `${report.records} records`); // a CODEX_LOG per turn and per response, at least
    });
  });
}

// The writer's connection never checkpoints; the checkpoint thread does, so the log is reused from
// its start instead of growing with every commit. (That a RESTART checkpoint, not only a PASSIVE
// one, is needed under a stream of writes without pauses shows on bench/ingest.bench.ts: 291 MB of
// WAL after 1,500 requests with PASSIVE alone, 65 MB with both; see BENCHMARKS.md.)
describe('ingest writer thread checkpoints the SQLite WAL on a thread of its own', () => {
  const walAfter = async (checkpointEvents: number): Promise<number> => {
    const t = await makeApp('sqlite', { ingest: { max_concurrent_batches: 64 } });
    assert.ok(await t.ctx.runtime.startWriterThread({ checkpointEvents }));
    try {
      await t.user('wal@x.io');
      const key = await t.key(['ingest.write'], 'wal@x.io');
      const now = Date.now() - 3600_000;
      const body = (i: number) =>
        JSON.stringify(
          synthPayload([
            { conv: `wal-${i}`, ts: now + i, kind: 'prompt' },
            { conv: `wal-${i}`, ts: now + i, kind: 'response', input: 100 + i, cached: 10, output: 5, reasoning: 1 },
          ]),
        );
      // 16 exporters, each posting its next batch as soon as the last is answered: the writer is never idle.
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 480) {
            const r = await t.app.inject({
              method: 'POST',
              url: '/v1/logs',
              payload: body(next++),
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            });
            assert.equal(r.statusCode, 200, r.body);
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 300)); // a checkpoint still running finishes
      return fs.statSync(`${t.store.describe}-wal`).size;
    } finally {
      await t.ctx.runtime.stop();
      await t.close();
    }
  };

  it('reuses the log from its start once checkpointed instead of appending to it', async () => {
    const never = await walAfter(Number.MAX_SAFE_INTEGER);
    const often = await walAfter(8);
    assert.ok(often * 3 < never, `WAL ${often} bytes with checkpoints, ${never} without`);
  });
});

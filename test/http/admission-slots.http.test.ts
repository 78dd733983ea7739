// A batch slot is held while the batch's work runs, even after its client has gone (decisions/0028):
// an exporter that times out and sends again must not add work past ingest.max_concurrent_batches.
// The store's write lock is held by another connection so that an admitted batch waits in the
// middle of its work; its client gives up meanwhile; the slot must stay taken (the next batch gets
// 429) until the work ends, and the work still stores the batch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { configSchema } from '../../src/config/schema.js';
import { buildApp, type AppServices } from '../../src/app/app.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { createKey } from '../../src/access/keys.service.js';
import { addUser } from '../../src/access/users.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS, makeStore, PG_URL, type TestStore } from '../support/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// POST /v1/logs; resolves with the status, or -1 when the client gave up first (timeoutMs).
function post(port: number, key: string, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/logs',
        method: 'POST',
        timeout: timeoutMs,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

for (const dialect of DIALECTS)
  describe(`batch slots when the client goes away (${dialect})`, () => {
    let store: TestStore;
    let runtime: Runtime;
    let app: FastifyInstance;
    let ctx: AppServices;
    let port: number;
    let key: string;
    let ws: string;

    before(async () => {
      store = await makeStore(dialect);
      ws = (await ensureBootstrapped(store.db)).workspace.id;
      await addUser(store.db, { workspaceId: ws, email: 'dev@example.com' }, cliActor());
      key = (
        await createKey(
          store.db,
          { workspaceId: ws, scopes: ['ingest.write'], userEmail: 'dev@example.com' },
          cliActor(),
        )
      ).secret;
      runtime = createRuntime(store);
      const config = configSchema.parse({ ingest: { max_concurrent_batches: 1 } });
      ({ app, ctx } = await buildApp({ store, runtime, config, logger: false }));
      await app.listen({ host: '127.0.0.1', port: 0 });
      port = (app.server.address() as net.AddressInfo).port;
      // As serve does: on SQLite the writes go through the writer thread, so a write waiting for
      // the lock does not stop the server's thread.
      await runtime.startWriterThread();
    });
    after(async () => {
      await app.close();
      await runtime.stop();
      await store.cleanup();
    });

    // Takes the store's write lock from another connection; resolves with its release.
    async function holdWrites(): Promise<() => Promise<void>> {
      if (dialect === 'sqlite') {
        const other = new Database(path.join(store.reopen.dataDir!, 'steward.db'));
        other.exec('BEGIN IMMEDIATE');
        return async () => {
          other.exec('COMMIT');
          other.close();
        };
      }
      const other = new pg.Client({ connectionString: PG_URL });
      await other.connect();
      await other.query(`SET search_path = ${store.reopen.pgSchema}`);
      await other.query('BEGIN');
      await other.query('LOCK TABLE model_requests, compliance_heads IN EXCLUSIVE MODE');
      return async () => {
        await other.query('COMMIT');
        await other.end();
      };
    }

    it('keeps the slot until the work ends, then the batch is stored', async () => {
      const conv = 'slot-held-1';
      const body = JSON.stringify(
        synthPayload([
          { conv, ts: Date.now() - 60_000, kind: 'prompt' },
          { conv, ts: Date.now() - 59_000, kind: 'response', input: 1234, cached: 34, output: 56 },
        ]),
      );
      const release = await holdWrites();
      let released = false;
      try {
        // The client gives up while the batch waits for the lock.
        assert.equal(await post(port, key, body, 400), -1, 'the first batch was answered before the client gave up');
        await sleep(200);
        assert.equal(ctx.state.inflightBatches, 1, 'the slot of the batch still being written was given back');
        const other = JSON.stringify(synthPayload([{ conv: 'slot-held-2', ts: Date.now(), kind: 'prompt' }]));
        assert.equal(await post(port, key, other, 5000), 429, 'a second batch was admitted past the one slot');
        await release();
        released = true;
        for (let i = 0; i < 100 && ctx.state.inflightBatches > 0; i++) await sleep(50);
        assert.equal(ctx.state.inflightBatches, 0, 'the slot was given back when the work ended');
      } finally {
        if (!released) await release();
      }
      const r = await app.inject({
        url: `/v1/analytics/codex/workspaces/${ws}/usage?group=workspace`,
        headers: { authorization: `Bearer ${await ownerKey()}` },
      });
      const totals = r
        .json()
        .data.reduce(
          (t: number, row: any) => t + row.totals.uncached_text_input_tokens + row.totals.cached_text_input_tokens,
          0,
        );
      assert.equal(totals, 1234, 'the batch whose client left was stored once');
    });

    async function ownerKey(): Promise<string> {
      return (await createKey(store.db, { workspaceId: ws, scopes: ['codex.enterprise.analytics.read'] }, cliActor()))
        .secret;
    }
  });

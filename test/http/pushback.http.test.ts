// Pushback and resource bounds over real sockets (decisions/0028): a request without a valid key
// never has its body read, slow bodies are cut, records per request are capped with a 413 that
// names the limit, refusals are logged as summaries, and connections beyond the cap are closed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { Writable } from 'node:stream';
import { configSchema } from '../../src/config/schema.js';
import { buildApp, type AppServices } from '../../src/app/app.js';
import type { FastifyInstance } from 'fastify';
import { createKey } from '../../src/access/keys.service.js';
import { addUser } from '../../src/access/users.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

interface Raw {
  status: number | undefined; // of the first response, if any came
  text: string;
  closed: boolean; // the server closed the connection
  ms: number;
}

// Writes `head` (and `body` chunks) on a raw socket and collects what comes back until the server
// closes or `waitMs` passes; the socket is then destroyed.
function raw(port: number, head: string, body: string[] = [], waitMs = 3000): Promise<Raw> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      s.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : undefined, text, closed, ms: performance.now() - t0 });
    };
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    setTimeout(() => finish(false), waitMs);
    s.write(head);
    for (const b of body) s.write(b);
  });
}

const jsonRecords = (n: number) =>
  `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${'{"attributes":[]},'.repeat(n).slice(0, -1)}]}]}]}`;

for (const dialect of DIALECTS) {
  describe(`pushback and resource bounds (${dialect})`, () => {
    let store: TestStore;
    let app: FastifyInstance;
    let ctx: AppServices;
    let port: number;
    let key: string;
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    const post = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        body: new Uint8Array(body),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      });

    before(async () => {
      store = await makeStore(dialect);
      const boot = await ensureBootstrapped(store.db);
      const ws = boot.workspace.id;
      await addUser(store.db, { workspaceId: ws, email: 'dev@example.com' }, cliActor());
      key = (
        await createKey(
          store.db,
          { workspaceId: ws, scopes: ['ingest.write'], userEmail: 'dev@example.com' },
          cliActor(),
        )
      ).secret;
      const config = configSchema.parse({
        ingest: { max_concurrent_batches: 2, max_records_per_request: 100, max_lines_per_request: 50 },
        server: {
          max_connections: 6,
          headers_timeout_seconds: 1,
          request_timeout_seconds: 1,
          refusal_log_interval_seconds: 3600,
        },
      });
      ({ app, ctx } = await buildApp({ store, config, logger: { level: 'info', stream: sink } }));
      await app.listen({ host: '127.0.0.1', port: 0 });
      port = (app.server.address() as net.AddressInfo).port;
    });
    after(async () => {
      await app.close();
      await store.cleanup();
    });

    it('answers a request without a valid key 401 at once and closes instead of reading a body that never ends', async () => {
      for (const auth of ['', 'authorization: Bearer stw_not_a_key\r\n']) {
        const head =
          'POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
          `${auth}transfer-encoding: chunked\r\n\r\n`;
        const r = await raw(port, head, ['10\r\n{"resourceLogs":\r\n'], 5000);
        assert.equal(r.status, 401, r.text);
        assert.ok(r.closed, 'the server closed the connection');
        assert.ok(r.ms < 900, `answered in ${r.ms.toFixed(0)} ms, before the 1 s body timeout`);
        assert.match(r.text, /connection: close/i);
      }
    });

    it('cuts a slow body with 408 at the request timeout, and the server stays healthy', async () => {
      const head =
        'POST /v1/logs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
        `authorization: Bearer ${key}\r\ncontent-length: 1000\r\n\r\n`;
      const r = await raw(port, head, ['{"resourceLogs":'], 6000);
      assert.ok(r.closed, `connection dropped (${r.text})`);
      assert.equal(r.status, 408, r.text);
      assert.ok(r.ms >= 900 && r.ms < 4000, `cut after ${r.ms.toFixed(0)} ms`);
      assert.equal(ctx.state.inflightBatches, 0, 'its slot was given back');
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    });

    it('refuses more records than the cap with a 413 naming the limit, quickly, and still ingests after', async () => {
      const r = await post('/v1/logs', Buffer.from(jsonRecords(101)));
      assert.equal(r.status, 413);
      const err = (await r.json()) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'too_many_records');
      assert.match(err.error.message, /more than 100 log records \(ingest\.max_records_per_request = 100\)/);
      // 10^6 records in a small gzip body: refused after a scan, not after building a million objects.
      const bomb = zlib.gzipSync(jsonRecords(1_000_000));
      assert.ok(bomb.length < 200_000, `${bomb.length} bytes`);
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      const b = await post('/v1/logs', bomb, { 'content-encoding': 'gzip' });
      const ms = performance.now() - t0;
      assert.equal(b.status, 413);
      assert.ok(ms < 2000, `refused in ${ms.toFixed(0)} ms`);
      const grown = (process.memoryUsage().rss - rss0) / 1e6;
      assert.ok(grown < 200, `RSS grew ${grown.toFixed(0)} MB`);
      assert.equal((await post('/v1/logs', Buffer.from(jsonRecords(100)))).status, 200, 'at the cap is fine');
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    });

    it('caps the lines of a session-file upload with a 413 naming the limit', async () => {
      const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i, t: '{}' }));
      const upload = (n: number) =>
        Buffer.from(JSON.stringify({ host: 'h', files: [{ path: '/a.jsonl', offset: 0, line: 0, lines: lines(n) }] }));
      const r = await post('/v1/ingest/rollouts', upload(51));
      assert.equal(r.status, 413);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, /more than 50 lines/);
      assert.notEqual((await post('/v1/ingest/rollouts', upload(50))).status, 413);
    });

    it('logs refusals on headers as one summary line instead of lines per request', async () => {
      ctx.state.inflightBatches = 2;
      const before = logLines.length;
      try {
        for (let i = 0; i < 40; i++) assert.equal((await post('/v1/logs', Buffer.from('{}'))).status, 429);
      } finally {
        ctx.state.inflightBatches = 0;
      }
      assert.equal(logLines.length, before, 'no line per refusal');
      // The summary is written at the interval (an hour here) or on close.
      await app.close();
      const summary = logLines
        .slice(before)
        .map((l) => JSON.parse(l))
        .find((l) => l.refused);
      assert.ok(summary, logLines.slice(before).join('\n'));
      assert.equal(summary.refused['otlp 429 overloaded'], 40);
      ({ app, ctx } = await buildApp({ store, config: ctx.config, logger: { level: 'info', stream: sink } }));
      await app.listen({ host: '127.0.0.1', port });
    });

    it('closes connections beyond server.max_connections and serves again once one is freed', async () => {
      const idle = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<net.Socket>((res) => {
              const s = net.connect(port, '127.0.0.1', () => res(s));
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
      const over = await raw(port, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n', [], 2000);
      assert.ok(over.closed && over.status === undefined, `7th connection: ${over.text}`);
      for (const s of idle) s.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const ok = await raw(port, 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', [], 2000);
      assert.equal(ok.status, 200, ok.text);
    });
  });
}

// Log-file downloads, verifications and searches are long reads (on PostgreSQL each holds pooled connections
// until it ends): at most compliance.max_concurrent_reads at once, then 429 + Retry-After; a slot
// comes back when its response ends.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { appendN } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`compliance long reads are bounded (${dialect})`, () => {
    let t: TestApp;
    let readKey: string;
    let origin: string;
    let fileId: string;
    const base = () => `/v1/compliance/workspaces/${t.workspaceId}`;
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${readKey}` } });

    before(async () => {
      // One log file for all of them: a day-long window from an hour ago.
      t = await makeApp(dialect, { compliance: { max_concurrent_reads: 1, log_file_window_seconds: 86_400 } });
      readKey = await t.key(['codex.enterprise.compliance.read']);
      // ~20 MB of JSONL: more than the loopback socket buffers hold, so a client that does not read
      // keeps its download in flight.
      await appendN(t.store.db, t.workspaceId, 6000, { content: { kind: 'prompt', text: 'x'.repeat(3000) } }, 500);
      const files = (
        await get(`${base()}/logs?event_type=CODEX_LOG&after=${new Date(Date.now() - 3600_000).toISOString()}`)
      ).json().data as { id: string }[];
      assert.equal(files.length, 1);
      fileId = files[0]!.id;
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(() => t.close());

    it('answers 429 with Retry-After beyond the limit, and takes the next one once a download ends', async () => {
      const first = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http
          .get(`${origin}${base()}/logs/${fileId}`, { headers: { authorization: `Bearer ${readKey}` } }, resolve)
          .on('error', reject);
      });
      assert.equal(first.statusCode, 200);
      first.pause(); // in flight: the server waits for this client to read

      const busy = await get(`${base()}/logs/${fileId}`);
      assert.equal(busy.statusCode, 429, busy.body);
      assert.ok(Number(busy.headers['retry-after']) >= 1);
      assert.match(busy.json().error.message, /max_concurrent_reads = 1/);
      assert.equal((await get(`${base()}/verify`)).statusCode, 429);
      assert.equal((await get(`${base()}/search?q=xxx`)).statusCode, 429);
      // Other compliance reads are not long reads.
      assert.equal((await get(`${base()}/logs?event_type=CODEX_LOG`)).statusCode, 200);

      let bytes = 0;
      first.on('data', (c: Buffer) => (bytes += c.length));
      first.resume();
      await new Promise((r) => first.on('end', r));
      assert.ok(bytes > 15_000_000, `${bytes} bytes`);
      await new Promise((r) => setTimeout(r, 50)); // the server sees its response closed
      const again = await get(`${base()}/logs/${fileId}`);
      assert.equal(again.statusCode, 200);
      const verify = await get(`${base()}/verify`);
      assert.equal(verify.statusCode, 200);
      assert.equal(verify.json().ok, true);
    });

    it('gives the slot back when the client goes away mid-download', async () => {
      const req = http.get(`${origin}${base()}/logs/${fileId}`, { headers: { authorization: `Bearer ${readKey}` } });
      const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
      assert.equal(res.statusCode, 200);
      res.pause();
      req.destroy();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await get(`${base()}/logs/${fileId}`)).statusCode, 200);
    });
  });
}

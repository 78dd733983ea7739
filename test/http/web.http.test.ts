// The dashboard's static files as steward serve answers them: the page at each of its paths, its
// hashed assets in the encoding asked for (written by the build, never compressed per request),
// the cache headers, the CSP; and a precise 404 while the dashboard is not built.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';

const INDEX = '<!doctype html><title>Steward</title><script type="module" src="/assets/index-AbC123.js"></script>';
const JS = `console.log(${JSON.stringify('x'.repeat(2000))});`;

function bundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'index.html.gz'), zlib.gzipSync(INDEX));
  fs.writeFileSync(path.join(dir, 'assets/index-AbC123.js'), JS);
  fs.writeFileSync(path.join(dir, 'assets/index-AbC123.js.br'), zlib.brotliCompressSync(JS));
  fs.writeFileSync(path.join(dir, 'assets/index-AbC123.js.gz'), zlib.gzipSync(JS));
  return dir;
}

for (const dialect of DIALECTS) {
  describe(`dashboard files (${dialect})`, () => {
    let t: TestApp;
    let bare: TestApp;
    before(async () => {
      t = await makeApp(dialect, {}, { webRoot: bundle() });
      bare = await makeApp(dialect, {}, { webRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'steward-noweb-')) });
    });
    after(async () => {
      await t.close();
      await bare.close();
    });

    it('answers the page at every app path, revalidated each time, under a strict CSP', async () => {
      for (const url of ['/', '/sign-in', '/auth/set-password']) {
        const r = await t.app.inject({ url, headers: { 'accept-encoding': 'identity' } });
        assert.equal(r.statusCode, 200, url);
        assert.equal(r.body, INDEX);
        assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
        assert.equal(r.headers['cache-control'], 'no-cache');
        const csp = String(r.headers['content-security-policy']);
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
      }
    });

    it('sends the precompressed file the browser accepts: brotli first, then gzip, else as is', async () => {
      const url = '/assets/index-AbC123.js';
      const br = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.equal(zlib.brotliDecompressSync(br.rawPayload).toString(), JS);
      assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(br.headers.vary, 'accept-encoding');
      const gz = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0' } });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(zlib.gunzipSync(gz.rawPayload).toString(), JS);
      const plain = await t.app.inject({ url, headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.body, JS);
      assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
      // index.html has only a .gz beside it: a brotli-only browser gets it as is.
      const page = await t.app.inject({ url: '/', headers: { 'accept-encoding': 'br' } });
      assert.equal(page.headers['content-encoding'], undefined);
    });

    it('names a missing asset, and says how to build a dashboard that is not there', async () => {
      const missing = await t.app.inject('/assets/nope-123.js');
      assert.equal(missing.statusCode, 404);
      assert.match(missing.json().error.message, /no dashboard asset \/assets\/nope-123\.js/);
      const unbuilt = await bare.app.inject('/');
      assert.equal(unbuilt.statusCode, 404);
      assert.match(unbuilt.json().error.message, /npm run build/);
    });

    it('documents the page and the assets as public in the OpenAPI document', async () => {
      const doc = (await t.app.inject('/openapi.json')).json();
      for (const p of ['/', '/sign-in', '/auth/set-password', '/assets/{file}']) {
        const op = doc.paths[p].get;
        assert.match(op.summary, /dashboard/, p);
        assert.deepEqual(op.security ?? [], [], `${p} needs no credential`);
      }
      assert.ok(doc.paths['/auth/set-password'].post, 'the API beside the page is still there');
    });
  });
}

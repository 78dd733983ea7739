// When the database is unreachable nothing is acknowledged: clients get 503 + Retry-After (OTLP
// exporters retry those) and the server keeps running.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { configSchema } from '../../src/config/schema.js';
import { buildApp } from '../../src/app/app.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';

let app: FastifyInstance;
let store: Store;
before(async () => {
  // Port 1 on loopback: connection refused at once.
  store = openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/steward', poolSize: 1 });
  ({ app } = await buildApp({ store, config: configSchema.parse({}) }));
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
});

it('answers 503 storage_unavailable with Retry-After, and /readyz says not ready', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: '{}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer stw_anything' },
    });
    assert.equal(r.statusCode, 503, r.body);
    assert.equal(r.json().error.code, 'storage_unavailable');
    assert.equal(r.headers['retry-after'], '2');
  }
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

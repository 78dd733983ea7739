// Every kind of bad request gets its precise status and message, and the server keeps serving.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp, shiftTimes } from '../support/otlp.js';

describe('POST /v1/logs rejects bad input precisely (sqlite)', () => {
  let t: TestApp;
  let key: string;
  const good = JSON.stringify(shiftTimes(loadOtlp('exec-json.otel-logs.json'), Date.now() - 3600_000));
  const post = (payload: Buffer | string, headers: Record<string, string> = {}, auth: string | null = key) =>
    t.app.inject({ method: 'POST', url: '/v1/logs', payload, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers } });

  before(async () => {
    // Small limits so the size tests stay fast; the defaults are 16 MiB raw / 64 MiB decompressed.
    t = await makeApp('sqlite', { ingest: { max_body_bytes: 1024 * 1024, max_decompressed_bytes: 4 * 1024 * 1024 } });
    await t.user('dev@example.com');
    key = await t.key(['ingest.write'], 'dev@example.com');
  });
  after(() => t.close());

  const expectError = (r: { statusCode: number; json(): any }, status: number, code: string, msg?: RegExp) => {
    assert.equal(r.statusCode, status, JSON.stringify(r.json()));
    assert.equal(r.json().error.code, code);
    if (msg) assert.match(r.json().error.message, msg);
  };

  it('missing, malformed, unknown, revoked, expired and wrong-scope keys', async () => {
    expectError(await post(good, {}, null), 401, 'unauthenticated', /Bearer/);
    expectError(await post(good, { authorization: 'Basic abc' }, null), 401, 'unauthenticated');
    expectError(await post(good, {}, 'stw_nope'), 401, 'invalid_key', /unknown/);
    const analytics = await t.key(['codex.enterprise.analytics.read']);
    expectError(await post(good, {}, analytics), 403, 'forbidden_scope', /ingest\.write/);
    const revoked = await t.key(['ingest.write'], 'dev@example.com');
    const id = (await t.app.inject({ method: 'GET', url: `/v1/admin/workspaces/${t.workspaceId}/keys`, headers: { authorization: `Bearer ${t.ownerKey}` } })).json().data.at(-1).id;
    const rv = await t.app.inject({ method: 'POST', url: `/v1/admin/workspaces/${t.workspaceId}/keys/${id}/revoke`, headers: { authorization: `Bearer ${t.ownerKey}` } });
    assert.equal(rv.statusCode, 200, rv.body);
    expectError(await post(good, {}, revoked), 401, 'invalid_key', /revoked/);
    const expired = await t.key(['ingest.write'], 'dev@example.com', { expiresAt: Date.now() - 1 });
    expectError(await post(good, {}, expired), 401, 'invalid_key', /expired/);
  });

  it('wrong content type and encoding', async () => {
    expectError(await post(good, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', /text\/plain/);
    expectError(await post(good, { 'content-type': 'application/xml' }), 415, 'unsupported_media_type');
    expectError(await post(good, { 'content-encoding': 'br' }), 415, 'unsupported_encoding', /br/);
  });

  it('malformed JSON, malformed protobuf, truncated gzip', async () => {
    expectError(await post('{"resourceLogs": ['), 400, 'malformed_body', /JSON/);
    expectError(await post('"just a string"'), 400, 'malformed_body', /ExportLogsServiceRequest/);
    expectError(await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' }), 400, 'malformed_body', /protobuf/);
    const gz = zlib.gzipSync(good);
    expectError(await post(gz.subarray(0, gz.length - 20), { 'content-encoding': 'gzip' }), 400, 'malformed_body', /decompress/);
  });

  it('a body over the limit and a gzip bomb get 413', async () => {
    expectError(await post(Buffer.alloc(2 * 1024 * 1024, 0x20)), 413, 'body_too_large', /limit/);
    // 64 MiB of zeros compresses to ~64 KiB: under the raw limit, far over the decompressed one.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 1024 * 1024);
    expectError(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'body_too_large', /decompressed/);
  });

  it('still serves good requests afterwards', async () => {
    const r = await post(good);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

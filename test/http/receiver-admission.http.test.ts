// Receivers share one admission (src/platform/http/admission.ts): a refusal is answered the same way
// by every receiver and counted by source and reason in steward_ingest_refused_total.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { SECRET } from '../support/github.js';

const refused = (metrics: string, source: string, reason: string): number => {
  const m = new RegExp(`steward_ingest_refused_total\\{source="${source}",reason="${reason}"\\} (\\d+)`).exec(metrics);
  return m ? Number(m[1]) : 0;
};

for (const dialect of DIALECTS) {
  describe(`receiver admission (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    const metrics = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const post = (url: string, payload: unknown, headers: Record<string, string> = {}, bearer = key) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
        payload: payload as string,
      });

    before(async () => {
      t = await makeApp(dialect, { github: { webhook_secret: SECRET }, ingest: { max_concurrent_batches: 2 } });
      await t.user('dev@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
    });
    after(() => t.close());

    it('counts each refusal by receiver and reason', async () => {
      assert.equal((await post('/v1/logs', '{}', {}, t.ownerKey)).statusCode, 403);
      assert.equal((await post('/v1/ingest/rollouts', 'x', { 'content-type': 'text/plain' })).statusCode, 415);
      assert.equal((await post('/v1/ingest/code_review_events', '{')).statusCode, 400);
      const hook = '/v1/integrations/github/webhook';
      const headers = { 'x-github-event': 'ping' };
      const unsigned = await t.app.inject({ method: 'POST', url: hook, headers, payload: '{}' });
      assert.equal(unsigned.statusCode, 401);
      const m = await metrics();
      assert.equal(refused(m, 'otlp', 'key_not_bound_to_user'), 1);
      assert.equal(refused(m, 'rollout', 'unsupported_media_type'), 1);
      assert.equal(refused(m, 'code_review', 'malformed_body'), 1);
      assert.equal(refused(m, 'github', 'bad_signature'), 1);
    });

    it('refuses a batch over the in-flight limit with 429 + Retry-After, on every batch receiver', async () => {
      t.ctx.state.inflightBatches = 2;
      try {
        for (const url of ['/v1/logs', '/v1/ingest/rollouts']) {
          const r = await post(url, '{}');
          assert.equal(r.statusCode, 429, `${url}: ${r.body}`);
          assert.equal(r.json().error.code, 'overloaded');
          assert.equal(r.headers['retry-after'], '1');
        }
      } finally {
        t.ctx.state.inflightBatches = 0;
      }
      const m = await metrics();
      assert.equal(refused(m, 'otlp', 'overloaded'), 1);
      assert.equal(refused(m, 'rollout', 'overloaded'), 1);
    });

    it('refuses a batch whose body was still arriving when shutdown began, and takes no slot for it', async () => {
      const body = new PassThrough();
      const pending = t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: body,
      });
      body.write('{"resourceLogs":');
      await new Promise((r) => setTimeout(r, 50));
      t.ctx.state.shuttingDown = true;
      try {
        body.end('[]}');
        const r = await pending;
        assert.equal(r.statusCode, 503, r.body);
        assert.equal(r.json().error.code, 'shutting_down');
        assert.equal(r.headers['retry-after'], '1');
        assert.equal(t.ctx.state.inflightBatches, 0);
      } finally {
        t.ctx.state.shuttingDown = false;
      }
      assert.equal(refused(await metrics(), 'otlp', 'shutting_down'), 1);
    });

    it('answers a JSON API sent another content type with a 415 that names it', async () => {
      const url = `/v1/admin/workspaces/${t.workspaceId}/users`;
      const r = await post(url, 'email=x', { 'content-type': 'text/plain' }, t.ownerKey);
      assert.equal(r.statusCode, 415, r.body);
      assert.equal(r.json().error.code, 'unsupported_media_type');
      assert.match(r.json().error.message, /"text\/plain"/);
    });
  });
}

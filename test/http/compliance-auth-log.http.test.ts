// AUTH_LOG on both databases: on every endpoint that takes a bearer key, a key without the scope
// gets 403 and the attempt is recorded (method, route, required scope, the key by id); no key,
// an unknown key, a revoked key and another workspace's path are recorded too, never the secret;
// a burst of identical failures is one record plus one summary with its count, not a write each.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AUTH_REPEAT_WINDOW_MS, flushAuthFailures } from '../../src/services/compliance/auth-log.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /metrics']);
const NOT_BEARER = new Set(['POST /v1/integrations/github/webhook']); // HMAC-signed, not a bearer key

for (const dialect of DIALECTS) {
  describe(`AUTH_LOG (${dialect})`, () => {
    let t: TestApp;
    let reader: string;
    const keys: Record<string, string> = {};
    const auth = async () => (await downloadAll(t.app, t.workspaceId, reader, 'AUTH_LOG', 1000)).map((r) => r.content);

    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      reader = await t.key(['codex.enterprise.compliance.read']);
      keys.ingest = await t.key(['ingest.write'], 'dev@example.com');
      keys.manage = await t.key(['codex.enterprise.compliance.delete']);
    });
    after(() => t.close());

    it('every endpoint answers a wrong-scope key with 403 and records the attempt', async () => {
      const expected: string[] = [];
      for (const r of t.routes) {
        const id = `${r.method} ${r.url}`;
        if (PUBLIC.has(id) || NOT_BEARER.has(id)) continue;
        const url = r.url.replace(':workspace_id', t.workspaceId).replace(/:(\w+)/g, 'x');
        let refused = false;
        for (const k of ['ingest', 'manage']) {
          const res = await t.app.inject({ method: r.method as 'GET', url, headers: { authorization: `Bearer ${keys[k]}`, 'content-type': 'application/json' }, payload: r.method === 'GET' ? undefined : '{}' });
          if (res.statusCode !== 403) continue;
          assert.equal(res.json().error.code, 'forbidden_scope', `${id}: ${res.body}`);
          expected.push(`${k} ${r.method} ${r.url}`);
          refused = true;
        }
        assert.ok(refused, `${id}: neither key was refused; does it check a scope?`);
      }
      const logged = (await auth()).filter((a) => a.reason === 'forbidden_scope').map((a) => `${a.key.scopes.includes('ingest.write') ? 'ingest' : 'manage'} ${a.method} ${a.route}`);
      assert.deepEqual(logged.sort(), expected.sort());
      const one = (await auth()).find((a) => a.reason === 'forbidden_scope')!;
      assert.ok(one.key.id && one.key.prefix && one.required_scope && one.path.startsWith('/v1/') && one.timestamp);
    });

    it('records missing, unknown and revoked keys and foreign workspaces, never the secret', async () => {
      const url = `/v1/compliance/workspaces/${t.workspaceId}/logs`;
      const bogus = 'stw_' + 'Q'.repeat(32);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bogus}` } })).statusCode, 401);
      const revoked = await t.key(['codex.enterprise.compliance.read']);
      const list = await t.app.inject({ method: 'GET', url: `/v1/admin/workspaces/${t.workspaceId}/keys`, headers: { authorization: `Bearer ${t.ownerKey}` } });
      const revokedId = list.json().data.at(-1).id;
      await t.app.inject({ method: 'POST', url: `/v1/admin/workspaces/${t.workspaceId}/keys/${revokedId}/revoke`, headers: { authorization: `Bearer ${t.ownerKey}` } });
      assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${revoked}` } })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/compliance/workspaces/other-ws/logs', headers: { authorization: `Bearer ${reader}`, 'user-agent': 'curl/8' } })).statusCode, 403);

      const a = await auth();
      assert.ok(a.some((x) => x.reason === 'unauthenticated' && x.key === null && x.key_fingerprint === null && x.path === `/v1/compliance/workspaces/${t.workspaceId}/logs`));
      const unknown = a.find((x) => x.reason === 'invalid_key' && x.key === null)!;
      assert.match(unknown.key_fingerprint, /^sha256:[0-9a-f]{16}$/);
      assert.ok(a.some((x) => x.reason === 'invalid_key' && x.key?.id === revokedId && /revoked/.test(x.message)));
      const foreign = a.find((x) => x.reason === 'forbidden_workspace')!;
      assert.deepEqual([foreign.requested_workspace_id, foreign.user_agent], ['other-ws', 'curl/8']);
      const dump = JSON.stringify(a);
      for (const secret of [bogus, revoked, reader, ...Object.values(keys)]) assert.ok(!dump.includes(secret.slice(4)), 'a secret reached AUTH_LOG');
      const v = (await t.app.inject({ method: 'GET', url: `/v1/compliance/workspaces/${t.workspaceId}/verify`, headers: { authorization: `Bearer ${reader}` } })).json();
      assert.equal(v.ok, true);
    });

    it('writes a burst of identical failures as the first one and a summary with the count', async () => {
      const url = `/v1/compliance/workspaces/${t.workspaceId}/logs`;
      const since = new Date().toISOString();
      const attempt = async (secret: string) => assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } })).statusCode, 401);
      const guesses = async () => (await auth()).filter((x) => x.reason === 'invalid_key' && x.key === null && x.timestamp >= since);
      const guess = 'stw_' + 'G'.repeat(32);
      for (let i = 0; i < 40; i++) await attempt(guess);
      await attempt('stw_' + 'H'.repeat(32)); // another key: another identity

      // Within the minute: one record per identity, whatever the number of attempts.
      assert.equal((await guesses()).length, 2);
      // The minute over: the 39 repeats are one record with their count and time span.
      await flushAuthFailures(t.store.db, Date.now() + AUTH_REPEAT_WINDOW_MS, false);
      const after = await guesses();
      assert.equal(after.length, 3);
      const summary = after.find((x) => x.repeated)!;
      assert.deepEqual([summary.repeated.count, summary.repeated.first_at <= summary.repeated.last_at], [39, true]);
      assert.equal(after.filter((x) => x.key_fingerprint === summary.key_fingerprint).length, 2);
      // The next attempt starts a new minute: recorded as it happens.
      await attempt(guess);
      assert.equal((await guesses()).length, 4);
      const v = (await t.app.inject({ method: 'GET', url: `/v1/compliance/workspaces/${t.workspaceId}/verify`, headers: { authorization: `Bearer ${reader}` } })).json();
      assert.equal(v.ok, true);
    });
  });
}

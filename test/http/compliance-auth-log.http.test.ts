// AUTH_LOG on both databases: on every endpoint that takes a bearer key, a key without the scope
// gets 403 and the attempt is recorded (method, route, required scope, the key by id); no key,
// an unknown key, a revoked key and another workspace's path are recorded too, never the secret;
// failures from one address for one reason are one record plus one summary with their count, not a
// write each, whatever keys or workspace ids they present, and the folding stays bounded in memory.
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { PUBLIC_ROUTES } from '../../src/core/authz.js';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

// Health, the document, the steps before a session exists, and the HMAC-signed webhook.
const PUBLIC = PUBLIC_ROUTES;

for (const dialect of DIALECTS) {
  describe(`AUTH_LOG (${dialect})`, () => {
    let t: TestApp;
    let reader: string;
    const keys: Record<string, string> = {};
    const auth = async () => (await downloadAll(t.app, t.workspaceId, reader, 'AUTH_LOG', 1000)).map((r) => r.content);

    before(async () => {
      t = await makeApp(dialect, {}, { authFold: { maxFolds: 50 } });
      await t.user('dev@example.com');
      reader = await t.key(['codex.enterprise.compliance.read']);
      keys.ingest = await t.key(['ingest.write'], 'dev@example.com');
      keys.manage = await t.key(['codex.enterprise.compliance.delete']);
    });
    after(() => t.close());

    it('every endpoint answers a wrong-scope key with 403 and records the attempt', async () => {
      const expected: string[] = [];
      let n = 0; // one source address per attempt: each is a fold of its own, recorded as it happens
      for (const r of t.routes) {
        const id = `${r.method} ${r.url}`;
        if (PUBLIC.has(id)) continue;
        const url = r.url.replace(':workspace_id', t.workspaceId).replace(/:(\w+)/g, 'x');
        let refused = false;
        for (const k of ['ingest', 'manage']) {
          n++;
          const res = await t.app.inject({
            method: r.method as 'GET',
            url,
            remoteAddress: `10.1.${n >> 8}.${n & 255}`,
            headers: { authorization: `Bearer ${keys[k]}`, 'content-type': 'application/json' },
            payload: r.method === 'GET' ? undefined : '{}',
          });
          // Two attempts per route are more folds than this app follows (50): forget the ones
          // written (each was a first record, nothing folded into it) before the next.
          await t.ctx.authFailures.flush();
          if (res.statusCode !== 403) continue;
          assert.equal(res.json().error.code, 'forbidden_scope', `${id}: ${res.body}`);
          expected.push(`${k} ${r.method} ${r.url}`);
          refused = true;
        }
        assert.ok(refused, `${id}: neither key was refused; does it check a scope?`);
      }
      const logged = (await auth())
        .filter((a) => a.reason === 'forbidden_scope')
        .map((a) => `${a.key.scopes.includes('ingest.write') ? 'ingest' : 'manage'} ${a.method} ${a.route}`);
      assert.deepEqual(logged.sort(), expected.sort());
      const one = (await auth()).find((a) => a.reason === 'forbidden_scope')!;
      assert.ok(one.key.id && one.key.prefix && one.required_scope && one.path.startsWith('/v1/') && one.timestamp);
    });

    it('records missing, unknown and revoked keys and foreign workspaces, never the secret', async () => {
      const url = `/v1/compliance/workspaces/${t.workspaceId}/logs`;
      const bogus = 'stw_' + 'Q'.repeat(32);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401);
      assert.equal(
        (await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bogus}` } })).statusCode,
        401,
      );
      const revoked = await t.key(['codex.enterprise.compliance.read']);
      const list = await t.app.inject({
        method: 'GET',
        url: `/v1/admin/workspaces/${t.workspaceId}/keys`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      const revokedId = list.json().data.at(-1).id;
      await t.app.inject({
        method: 'POST',
        url: `/v1/admin/workspaces/${t.workspaceId}/keys/${revokedId}/revoke`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(
        (await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${revoked}` } })).statusCode,
        401,
      );
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: '/v1/compliance/workspaces/other-ws/logs',
            headers: { authorization: `Bearer ${reader}`, 'user-agent': 'curl/8' },
          })
        ).statusCode,
        403,
      );

      const a = await auth();
      assert.ok(
        a.some(
          (x) =>
            x.reason === 'unauthenticated' &&
            x.key === null &&
            x.key_fingerprint === null &&
            x.path === `/v1/compliance/workspaces/${t.workspaceId}/logs`,
        ),
      );
      const unknown = a.find((x) => x.reason === 'invalid_key' && x.key === null)!;
      assert.match(unknown.key_fingerprint, /^sha256:[0-9a-f]{16}$/);
      assert.ok(a.some((x) => x.reason === 'invalid_key' && x.key?.id === revokedId && /revoked/.test(x.message)));
      const foreign = a.find((x) => x.reason === 'forbidden_workspace')!;
      assert.deepEqual([foreign.requested_workspace_id, foreign.user_agent], ['other-ws', 'curl/8']);
      const dump = JSON.stringify(a);
      for (const secret of [bogus, revoked, reader, ...Object.values(keys)])
        assert.ok(!dump.includes(secret.slice(4)), 'a secret reached AUTH_LOG');
      const v = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/compliance/workspaces/${t.workspaceId}/verify`,
          headers: { authorization: `Bearer ${reader}` },
        })
      ).json();
      assert.equal(v.ok, true);
    });

    it('folds failures by address and reason, not by key: the first as it happens, then one summary with the count', async () => {
      const url = `/v1/compliance/workspaces/${t.workspaceId}/logs`;
      const since = new Date().toISOString();
      const remoteAddress = '10.2.0.1';
      const attempt = async (secret: string) =>
        assert.equal(
          (await t.app.inject({ method: 'GET', url, remoteAddress, headers: { authorization: `Bearer ${secret}` } }))
            .statusCode,
          401,
        );
      const guesses = async () =>
        (await auth()).filter((x) => x.reason === 'invalid_key' && x.ip === remoteAddress && x.timestamp >= since);
      const guess = 'stw_' + 'G'.repeat(32);
      for (let i = 0; i < 40; i++) await attempt(guess);
      await attempt('stw_' + 'H'.repeat(32)); // another key from the same address: the same fold

      // Within the window: one record for the address and reason, whatever the number of attempts.
      assert.equal((await guesses()).length, 1);
      // The window over: the 40 attempts after it are one record with their count and time span.
      const { windowMs } = t.ctx.authFailures.options;
      await t.ctx.authFailures.flush(Date.now() + windowMs, false);
      const after = await guesses();
      assert.equal(after.length, 2);
      const summary = after.find((x) => x.repeated)!;
      assert.deepEqual(
        [summary.repeated.count, summary.repeated.other_keys, summary.repeated.first_at <= summary.repeated.last_at],
        [40, 1, true],
      );
      // The next attempt starts a new window: recorded as it happens.
      await attempt(guess);
      assert.equal((await guesses()).length, 3);
      const v = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/compliance/workspaces/${t.workspaceId}/verify`,
          headers: { authorization: `Bearer ${reader}` },
        })
      ).json();
      assert.equal(v.ok, true);
    });

    it('a flood of distinct bad keys and wrong workspace ids grows the chain by a bounded number of records, in bounded memory', async () => {
      await t.ctx.authFailures.flush();
      const before = (await auth()).length;
      const analytics = await t.key(['codex.enterprise.analytics.read']);
      const userAgent = 'flood/1 ' + 'x'.repeat(14_000);
      const requests: InjectOptions[] = [];
      // Thousands of distinct bearers from one address, and a valid key asking for distinct wrong
      // workspaces from another: two folds, whatever the key strings and workspace ids.
      for (let i = 0; i < 1500; i++)
        requests.push({
          method: 'GET',
          url: `/v1/compliance/workspaces/${t.workspaceId}/logs`,
          remoteAddress: '10.3.0.1',
          headers: { authorization: `Bearer stw_${String(i).padStart(32, 'k')}`, 'user-agent': userAgent },
        });
      for (let i = 0; i < 1000; i++)
        requests.push({
          method: 'GET',
          url: `/v1/analytics/codex/workspaces/ws-${i}/usage`,
          remoteAddress: '10.3.0.2',
          headers: { authorization: `Bearer ${analytics}`, 'user-agent': userAgent },
        });
      // More addresses than the folder follows (50 here): the ones beyond fold into an overflow fold.
      for (let i = 0; i < 600; i++)
        requests.push({
          method: 'GET',
          url: `/v1/compliance/workspaces/${t.workspaceId}/logs`,
          remoteAddress: `10.4.${i >> 8}.${i & 255}`,
          headers: { authorization: `Bearer stw_${String(i).padStart(32, 'z')}` },
        });
      let maxSize = 0;
      for (let i = 0; i < requests.length; i += 50) {
        const res = await Promise.all(requests.slice(i, i + 50).map((r) => t.app.inject(r)));
        for (const r of res) assert.ok(r.statusCode === 401 || r.statusCode === 403, r.body);
        maxSize = Math.max(maxSize, t.ctx.authFailures.size);
      }
      // Folds followed: at most the cap plus one overflow fold per reason and workspace.
      assert.ok(maxSize <= 50 + 2, `the folder grew to ${maxSize} folds`);
      const during = (await auth()).slice(before);
      assert.ok(during.length <= 52, `${during.length} records for ${requests.length} refusals`);
      assert.ok(during.some((r) => r.overflow === true && r.ip === null));

      await t.ctx.authFailures.flush();
      assert.equal(t.ctx.authFailures.size, 0);
      const added = (await auth()).slice(before);
      assert.ok(added.length <= 2 * 52, `${added.length} records for ${requests.length} refusals`);
      // Every refusal is counted: the first of each fold plus the count of its summary.
      assert.equal(
        added.reduce((n, r) => n + (r.repeated ? r.repeated.count : 1), 0),
        requests.length,
      );
      // Stored header values are cut to 512 bytes with a marker, not 14 KB a record.
      const long = added.filter((r) => r.user_agent?.startsWith('flood/1'));
      assert.ok(long.length > 0);
      for (const r of long) assert.match(r.user_agent, /^flood\/1 x{504}…\[truncated 13496 bytes\]$/);
      const v = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/compliance/workspaces/${t.workspaceId}/verify`,
          headers: { authorization: `Bearer ${reader}` },
        })
      ).json();
      assert.equal(v.ok, true);
    });
  });
}

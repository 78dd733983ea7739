// The admin API does what the CLI does for a key's and a user's life: rotate a key (the new secret
// once, the old one through its grace), change a role, remove a user (their keys refused, their
// usage kept); each an AUDIT_LOG record; another workspace's ids are not found. Both databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`admin API: rotate, role, remove (${dialect})`, () => {
    let t: TestApp;
    let owner: string;
    let other: TestApp;
    before(async () => {
      t = await makeApp(dialect);
      owner = await t.key(['admin']);
      other = await makeApp(dialect);
    });
    after(async () => {
      await t.close();
      await other.close();
    });
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown, key = owner) =>
      t.app.inject({
        method,
        url: `/v1/admin/workspaces/${t.workspaceId}${url}`,
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
    const ingest = (key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(
          synthPayload([{ conv: `c-${Math.random()}`, ts: Date.now() - 5000, kind: 'response', input: 10, output: 3 }]),
        ),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
    const audits = async (action: string) => {
      const read = await t.key(['codex.enterprise.compliance.read']);
      const r = await t.app.inject({
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=AUDIT_LOG&limit=1000`,
        headers: { authorization: `Bearer ${read}` },
      });
      return (r.json().data as { content: { action: string } }[]).filter((x) => x.content.action === action);
    };

    it('rotates a key: new secret at once, old one through the grace, zero grace stops it', async () => {
      await t.user('dev@example.com');
      const old = await t.key(['ingest.write'], 'dev@example.com');
      const id = (await call('GET', '/keys')).json().data.find((k: { user_id: string | null }) => k.user_id).id;
      const r = await call('POST', `/keys/${id}/rotate`, { grace_hours: 1 });
      assert.equal(r.statusCode, 201, r.body);
      const body = r.json();
      assert.match(body.secret, /^stw_/);
      assert.notEqual(body.id, id);
      assert.equal(body.old.id, id);
      assert.equal((await ingest(body.secret)).statusCode, 200);
      assert.equal((await ingest(old)).statusCode, 200, 'old secret within its grace');
      const again = await call('POST', `/keys/${body.id}/rotate`, { grace_hours: 0 });
      assert.equal(again.statusCode, 201, again.body);
      const refused = await ingest(body.secret);
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /expired/);
      assert.equal((await audits('key.rotated')).length, 2);
    });

    it('names bad input and unknown ids', async () => {
      const id = (await call('GET', '/keys')).json().data[0].id;
      const bad = await call('POST', `/keys/${id}/rotate`, { grace_hours: -1 });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /grace_hours/);
      assert.equal((await call('POST', '/keys/nope/rotate', {})).statusCode, 404);
      assert.equal((await call('POST', '/users/nope/remove')).statusCode, 404);
      const stranger = await other.user('x@example.com');
      assert.equal((await call('POST', `/users/${stranger}/role`, { role: 'member' })).statusCode, 404);
      const role = await call('POST', `/users/${stranger}/role`, { role: 'emperor' });
      assert.equal(role.statusCode, 404, 'another workspace: not found before the role is read');
    });

    it('changes a role, then removes the user: keys refused, usage kept, both audited', async () => {
      const id = await t.user('lead@example.com');
      const key = await t.key(['ingest.write'], 'lead@example.com');
      assert.equal((await ingest(key)).statusCode, 200);
      const unknownRole = await call('POST', `/users/${id}/role`, { role: 'emperor' });
      assert.equal(unknownRole.statusCode, 422);
      assert.match(unknownRole.json().error.message, /unknown role "emperor"/);
      const role = await call('POST', `/users/${id}/role`, { role: 'analytics_viewer' });
      assert.equal(role.statusCode, 200, role.body);
      assert.equal(role.json().role, 'analytics_viewer');
      const removed = await call('POST', `/users/${id}/remove`);
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal(removed.json().revoked_keys.length, 1);
      assert.ok(removed.json().removed_at > 0);
      assert.equal((await ingest(key)).statusCode, 401);
      assert.equal((await call('POST', `/users/${id}/remove`)).statusCode, 409);
      const rows = await t.store.db.selectFrom('model_requests').select('user_id').where('user_id', '=', id).execute();
      assert.equal(rows.length, 1, 'their usage stays');
      assert.equal((await audits('user.role_changed')).length, 1);
      assert.equal((await audits('user.removed')).length, 1);
    });
  });
}

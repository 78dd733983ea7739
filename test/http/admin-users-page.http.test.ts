// GET /v1/admin/.../users as pages on both databases: limit/offset by email, search over email and
// name in any case with LIKE's wildcards literal, people=true without removed users and service
// identities, total and has_more; without limit every user as before. GET .../keys names each
// holder's email. Expected lists are computed here from the users this file adds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`admin users pages (${dialect})`, () => {
    let t: TestApp;
    const people: { email: string; name: string | null }[] = [];
    before(async () => {
      t = await makeApp(dialect);
      for (let i = 0; i < 23; i++) people.push({ email: `dev${String(i).padStart(2, '0')}@acme.io`, name: `Dev ${i}` });
      people.push({ email: 'ops_lead@acme.io', name: 'Grace 50% Hopper' }, { email: 'opsxlead@acme.io', name: null });
      for (const p of people) {
        const r = await admin('POST', '/users', { email: p.email, ...(p.name ? { name: p.name } : {}) });
        assert.equal(r.statusCode, 201, r.body);
      }
      await t.key(['ingest.write'], 'dev03@acme.io');
      assert.equal((await admin('POST', '/users/' + (await idOf('dev05@acme.io')) + '/remove')).statusCode, 200);
    });
    after(async () => t?.close());

    const admin = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      t.app.inject({
        method,
        url: `/v1/admin/workspaces/${t.workspaceId}${path}`,
        headers: {
          authorization: `Bearer ${t.ownerKey}`,
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { payload: JSON.stringify(body ?? {}) } : {}),
      });
    const list = async (q: string) => {
      const r = await admin('GET', `/users?${q}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const idOf = async (email: string) => (await list('')).data.find((u: any) => u.email === email).id as string;

    it('without limit lists everyone by email; pages of it add up to the same', async () => {
      const all = await list('');
      const emails = all.data.map((u: any) => u.email);
      assert.deepEqual(emails, [...emails].sort());
      assert.ok(people.every((p) => emails.includes(p.email)));
      assert.deepEqual([all.total, all.has_more], [emails.length, false]);
      const paged: string[] = [];
      for (let offset = 0; ; offset += 10) {
        const p = await list(`limit=10&offset=${offset}`);
        assert.equal(p.total, emails.length);
        paged.push(...p.data.map((u: any) => u.email));
        if (!p.has_more) break;
      }
      assert.deepEqual(paged, emails);
    });

    it('search: email or name, any case, % and _ literal; people=true leaves the removed out', async () => {
      const emails = async (q: string) => (await list(q)).data.map((u: any) => u.email);
      assert.deepEqual(
        await emails('search=DEV1'),
        people.filter((p) => p.email.startsWith('dev1')).map((p) => p.email),
      );
      assert.deepEqual(await emails('search=hopper'), ['ops_lead@acme.io']);
      assert.deepEqual(await emails('search=50%25'), ['ops_lead@acme.io'], '"50%" is the text, not a wildcard');
      assert.deepEqual(await emails('search=ops_'), ['ops_lead@acme.io'], '_ matches itself only');
      assert.ok((await emails('search=dev0')).includes('dev05@acme.io'), 'removed users are listed by default');
      assert.ok(!(await emails('search=dev0&people=true')).includes('dev05@acme.io'));
      const few = await list('search=dev&people=true&limit=3');
      assert.deepEqual([few.data.length, few.total, few.has_more], [3, 22, true]);
      const none = await list('search=nobody');
      assert.deepEqual([none.data, none.total, none.has_more], [[], 0, false]);
    });

    it('refuses bad parameters by name; keys name their holder', async () => {
      for (const [q, field] of [
        ['limit=0', 'limit'],
        ['offset=-1', 'offset'],
        ['people=yes', 'people'],
        [`search=${'x'.repeat(201)}`, 'search'],
      ]) {
        const r = await admin('GET', `/users?${q}`);
        assert.equal(r.statusCode, 422, `${q}: ${r.body}`);
        assert.deepEqual(r.json().detail[0].loc, ['query', field], q);
      }
      const keys = (await admin('GET', '/keys')).json().data;
      const devId = await idOf('dev03@acme.io');
      const dev = keys.find((k: any) => k.user_id === devId);
      assert.equal(dev?.user_email, 'dev03@acme.io');
      for (const k of keys.filter((x: any) => x.user_id === null)) assert.equal(k.user_email, null);
    });
  });
}

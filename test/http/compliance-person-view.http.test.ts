// Who looked at whom in the compliance archive (decisions/0026), both databases: a search for one
// person's records appends a person_data.viewed record naming the viewer and that person (by email or
// id alike); a search that names nobody, or an email nobody has, appends none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`compliance search of a person is audited (${dialect})`, () => {
    let t: TestApp;
    let read: string;
    let dev: string;
    before(async () => {
      t = await makeApp(dialect);
      dev = await t.user('dev@example.com');
      const key = await t.key(['ingest.write'], 'dev@example.com');
      read = await t.key(['codex.enterprise.compliance.read']);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(synthPayload([{ conv: 'c-1', ts: Date.now() - 5000, kind: 'prompt' }])),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
    });
    after(() => t.close());

    const search = async (q: string) => {
      const r = await t.app.inject({
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?${q}`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as { event_type: string; content: Record<string, any> }[];
    };
    const views = async () =>
      (await search('event_type=AUDIT_LOG&limit=1000'))
        .map((r) => r.content)
        .filter((c) => c.action === 'person_data.viewed' && c.after.what === 'compliance.search');

    it('names the viewer and the person, by email or id; not for searches that name nobody', async () => {
      assert.ok((await search('user=dev@example.com&event_type=CODEX_LOG')).length > 0);
      assert.ok((await search(`user_id=${dev}`)).length > 0);
      await search('event_type=CODEX_LOG');
      await search('user=nobody@example.com');
      const v = await views();
      assert.equal(v.length, 2);
      for (const c of v) {
        assert.deepEqual(c.after.user_ids, [dev]);
        assert.equal(c.actor.type, 'key');
      }
    });
  });
}

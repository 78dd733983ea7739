// Verify of a workspace that does not exist must not pass: over HTTP a key only reaches its own
// workspace (any other id, existing or not, is 403 and says so, without telling whether it exists),
// and the service behind the route and the CLI refuses an unknown id as not found.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StewardError } from '../../src/core/errors.js';
import { verifyChain } from '../../src/compliance/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`compliance verify of an unknown workspace (${dialect})`, () => {
    let t: TestApp;
    let readKey: string;
    const get = (ws: string) => {
      const url = `/v1/compliance/workspaces/${ws}/verify`;
      return t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${readKey}` } });
    };

    before(async () => {
      t = await makeApp(dialect);
      readKey = await t.key(['codex.enterprise.compliance.read']);
    });
    after(() => t.close());

    it('GET …/workspaces/<typo>/verify is refused, never "ok"', async () => {
      const r = await get(`${t.workspaceId}-typo`);
      assert.equal(r.statusCode, 403, r.body);
      assert.equal(r.json().error.code, 'forbidden_workspace');
      assert.match(r.json().error.message, /does not belong to this workspace/);
      assert.equal((await get(t.workspaceId)).json().ok, true);
    });

    it('the verify service refuses an id that does not exist as not found (404; the CLI exits 4)', async () => {
      await assert.rejects(verifyChain(t.store.db, 'ws-does-not-exist'), (e: unknown) => {
        assert.ok(e instanceof StewardError);
        assert.equal(e.status, 404);
        assert.match(e.message, /workspace ws-does-not-exist does not exist/);
        return true;
      });
    });
  });
}

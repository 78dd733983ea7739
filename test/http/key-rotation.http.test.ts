// `steward keys rotate` on both databases: the new secret works at once, the old one keeps working
// through the grace period and is then refused as expired (401, AUTH_LOG), the new key keeps the old
// one's owner, name and scopes, and the rotation is one AUDIT_LOG record naming both keys.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`keys rotate (${dialect})`, () => {
    let t: TestApp;
    let dir: string;
    let firstId = '';
    let firstNew = '';
    const cli = (...args: string[]) => runCli(['keys', ...args, ...storeArgs(t.store)], dir);
    const usage = (secret: string) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=workspace`,
        headers: { authorization: `Bearer ${secret}` },
      });
    const keyIdOf = async (name: string) => {
      const list = JSON.parse((await cli('list', '--json')).stdout) as { id: string; name: string | null }[];
      return list.filter((k) => k.name === name).at(-1)!.id;
    };

    before(async () => {
      t = await makeApp(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-rotate-'));
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the old secret through the grace period, the new one works at once', async () => {
      const made = JSON.parse(
        (await cli('create', '--scope', 'codex.enterprise.analytics.read', '--name', 'dash', '--json')).stdout,
      );
      assert.equal((await usage(made.secret)).statusCode, 200);
      const r = await cli('rotate', made.id, '--grace-hours', '2', '--json');
      assert.equal(r.code, 0, r.stderr);
      const rotated = JSON.parse(r.stdout);
      assert.notEqual(rotated.id, made.id);
      assert.deepEqual([rotated.name, rotated.scopes], ['dash', ['codex.enterprise.analytics.read']]);
      assert.equal(rotated.replaces.id, made.id);
      [firstId, firstNew] = [made.id, rotated.id];
      const until = rotated.replaces.expires_at;
      assert.ok(until > Date.now() + 1.9 * 3_600_000 && until <= Date.now() + 2 * 3_600_000, String(until));
      assert.equal((await usage(rotated.secret)).statusCode, 200);
      assert.equal((await usage(made.secret)).statusCode, 200, 'old secret works during the grace period');
    });

    it('with no grace the old secret is refused as expired, and the rotation is audited', async () => {
      const old = await t.key(['codex.enterprise.analytics.read']); // a key whose secret the test holds
      const listed = JSON.parse((await cli('list', '--json')).stdout) as { id: string }[];
      const oldId = listed.at(-1)!.id;
      const r = JSON.parse((await cli('rotate', oldId, '--grace-hours', '0', '--json')).stdout);
      const refused = await usage(old);
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /expired/);
      assert.equal((await usage(r.secret)).statusCode, 200);
      assert.equal(JSON.parse((await cli('list', '--json')).stdout).length, listed.length + 1);
      const records = await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute();
      const rotations = records.map((c) => JSON.parse(c.content)).filter((c) => c.action === 'key.rotated');
      assert.deepEqual(
        rotations.map((c) => [c.target.id, c.after.old.id, c.after.new.id]),
        [
          [firstId, firstId, firstNew],
          [oldId, oldId, r.id],
        ],
      );
      assert.ok(!records.some((c) => c.content.includes(old) || c.content.includes(r.secret)), 'no secret archived');
    });

    it('bad input and unknown or revoked keys: exit 2 / 4 with the reason', async () => {
      const bad = await cli('rotate', 'whatever', '--grace-hours', '-1');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--grace-hours: must be zero or a positive number of hours/);
      const unknown = await cli('rotate', '00000000-0000-0000-0000-000000000000');
      assert.equal(unknown.code, 4, unknown.stderr);
      assert.match(unknown.stderr, /no key with id/);
      const id = await keyIdOf('dash');
      await cli('revoke', id);
      const revoked = await cli('rotate', id);
      assert.equal(revoked.code, 4);
      assert.match(revoked.stderr, /is revoked: create a new one/);
    });
  });
}

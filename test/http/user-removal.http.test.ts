// `steward users remove` on both databases: the user's keys are refused from then on (401, revoked),
// everything stored about them stays (usage and compliance records), they are listed as removed,
// and the removal is one AUDIT_LOG record naming the keys it revoked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`users remove (${dialect})`, () => {
    let t: TestApp;
    let dir: string;
    let ingestKey: string;
    const cli = (...args: string[]) => runCli(['users', ...args, ...storeArgs(t.store)], dir);
    const post = (key: string, conv: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(
          synthPayload([
            { conv, ts: Date.now() - 5000, kind: 'prompt' },
            { conv, ts: Date.now() - 4000, kind: 'response', input: 100, output: 7 },
          ]),
        ),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
    const usage = async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=user`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return JSON.stringify(r.json());
    };

    before(async () => {
      t = await makeApp(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-remove-'));
      await t.user('leaver@example.com');
      await t.user('stayer@example.com');
      ingestKey = await t.key(['ingest.write'], 'leaver@example.com');
      await t.key(['codex.enterprise.analytics.read'], 'leaver@example.com');
      assert.equal((await post(ingestKey, 'before-removal')).statusCode, 200);
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("revokes the user's keys, keeps their usage and records, and audits the removal once", async () => {
      const usageBefore = await usage();
      assert.match(usageBefore, /leaver@example\.com/);
      const recordsBefore = await t.store.db.selectFrom('compliance_records').select('seq').execute();
      const r = await cli('remove', 'leaver@example.com', '--json');
      assert.equal(r.code, 0, r.stderr);
      const removed = JSON.parse(r.stdout);
      assert.equal(removed.revoked_keys.length, 2);
      assert.ok(removed.removed_at > 0);
      const refused = await post(ingestKey, 'after-removal');
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /revoked/);
      assert.equal(await usage(), usageBefore, 'the usage stays');
      const contents = await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute();
      const all = contents.map((c) => JSON.parse(c.content));
      assert.ok(
        all.some((c) => c.thread_id === 'before-removal'),
        'the records stay',
      );
      const removals = all.filter((c) => c.action === 'user.removed');
      assert.equal(removals.length, 1);
      assert.deepEqual([...removals[0].after.revoked_keys].sort(), [...removed.revoked_keys].sort());
      const recordsAfter = await t.store.db.selectFrom('compliance_records').select('seq').execute();
      assert.ok(recordsAfter.length > recordsBefore.length);
    });

    it('lists the user as removed; removing twice or an unknown user is exit 4', async () => {
      const list = await cli('list');
      assert.match(list.stdout, /leaver@example\.com\s+member\s+removed \d{4}-/);
      assert.match(list.stdout, /stayer@example\.com\s+member\s+active/);
      const twice = await cli('remove', 'leaver@example.com');
      assert.equal(twice.code, 4);
      assert.match(twice.stderr, /already removed/);
      const unknown = await cli('remove', 'nobody@example.com');
      assert.equal(unknown.code, 4);
      assert.match(unknown.stderr, /no user with email nobody@example\.com/);
    });
  });
}

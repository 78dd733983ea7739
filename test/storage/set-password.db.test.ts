// Setting a password on both databases: refused by the rules before anything is stored, stored as
// argon2id, the user's sessions ended, and one AUDIT_LOG record that the chain verifies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setPassword } from '../../src/accounts/index.js';
import { verifyPassword } from '../../src/accounts/password.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { addUser } from '../../src/access/users.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { verifyChain } from '../../src/compliance/index.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

for (const dialect of DIALECTS)
  describe(`set a password (${dialect})`, () => {
    let s: TestStore;
    let ws: string;
    let userId: string;
    before(async () => {
      s = await makeStore(dialect);
      ws = (await ensureBootstrapped(s.db)).workspace.id;
      userId = (await addUser(s.db, { workspaceId: ws, email: 'o@example.com', role: 'owner' }, cliActor())).id;
    });
    after(() => s.cleanup());

    it('refuses a short password and stores nothing', async () => {
      await assert.rejects(setPassword(s.db, ws, 'o@example.com', 'short', cliActor()), /at least 15/);
      assert.equal((await s.db.selectFrom('user_credentials').selectAll().execute()).length, 0);
    });

    it('stores argon2id, ends the sessions and audits the change', async () => {
      const now = Date.now();
      const session = {
        user_id: userId,
        workspace_id: ws,
        created_at: now,
        last_seen_at: now,
        ip: null,
        user_agent: null,
      };
      await s.db
        .insertInto('user_sessions')
        .values({ ...session, id: 's1', secret_hash: 'h1', idle_expires_at: now + 1000, expires_at: now + 1000 })
        .execute();
      const r = await setPassword(s.db, ws, 'O@example.com', 'correct horse battery', cliActor());
      assert.deepEqual(r, { userId, sessionsEnded: 1 });
      const row = await s.db.selectFrom('user_credentials').selectAll().executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^\$argon2id\$/);
      assert.equal(await verifyPassword(row.password_hash, 'correct horse battery'), true);
      assert.equal((await s.db.selectFrom('user_sessions').selectAll().execute()).length, 0);
      const audits = await s.db
        .selectFrom('compliance_records as r')
        .innerJoin('compliance_content as c', (j) =>
          j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.seq', '=', 'r.seq'),
        )
        .select('c.content')
        .where('r.event_type', '=', 'AUDIT_LOG')
        .execute();
      const set = audits.map((a) => JSON.parse(String(a.content))).filter((c) => c.action === 'user.password_set');
      assert.equal(set.length, 1);
      assert.deepEqual(set[0].after, { had_password: false, sessions_ended: 1 });
      assert.doesNotMatch(JSON.stringify(set), /argon2|correct horse/);
      const v = await verifyChain(s.db, ws);
      assert.ok(v.ok, JSON.stringify(v));
    });

    it('an unknown email is a 404', async () => {
      await assert.rejects(setPassword(s.db, ws, 'nobody@example.com', 'correct horse battery', cliActor()), /no user/);
    });
  });

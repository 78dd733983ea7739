// Migration 0015 (local accounts) on both databases: the tables hold a password hash per user,
// sessions and one-time links by the hash of their secret (one row per hash), and throttle state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { addUser } from '../../src/access/users.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

for (const dialect of DIALECTS)
  describe(`migration 0015 accounts (${dialect})`, () => {
    let s: TestStore;
    let ws: string;
    let userId: string;
    before(async () => {
      s = await makeStore(dialect);
      ws = (await ensureBootstrapped(s.db)).workspace.id;
      userId = (await addUser(s.db, { workspaceId: ws, email: 'o@example.com', role: 'owner' }, cliActor())).id;
    });
    after(() => s.cleanup());

    it('stores credentials, sessions, links and throttle state; a secret hash is unique', async () => {
      const now = Date.now();
      await s.db
        .insertInto('user_credentials')
        .values({ user_id: userId, password_hash: '$argon2id$x', updated_at: now })
        .execute();
      const session = {
        id: 's1',
        secret_hash: 'h1',
        user_id: userId,
        workspace_id: ws,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + 1,
        expires_at: now + 2,
        ip: null,
        user_agent: null,
      };
      await s.db.insertInto('user_sessions').values(session).execute();
      await assert.rejects(
        s.db
          .insertInto('user_sessions')
          .values({ ...session, id: 's2' })
          .execute(),
      );
      const link = { id: 'l1', secret_hash: 'h1', workspace_id: ws, user_id: null, purpose: 'setup' as const };
      await s.db
        .insertInto('account_links')
        .values({ ...link, created_at: now, expires_at: now, used_at: null })
        .execute();
      await s.db
        .insertInto('sign_in_throttle')
        .values({ subject: 'account:o@example.com', failures: 3, last_failure_at: now, blocked_until: 0 })
        .execute();
      const row = await s.db.selectFrom('sign_in_throttle').selectAll().executeTakeFirstOrThrow();
      assert.equal(Number(row.failures), 3);
      await assert.rejects(
        s.db
          .insertInto('user_credentials')
          .values({ user_id: 'nobody', password_hash: 'x', updated_at: now })
          .execute(),
        'a credential needs its user',
      );
    });
  });

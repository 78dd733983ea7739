// steward users passwd on both databases, as a child process: --password-stdin sets the password
// (argon2id stored), a password under the rules is refused with exit 2 and stores nothing, and
// without a terminal to prompt on it says to pass --password-stdin.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { addUser } from '../../src/access/users.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { runCli, storeArgs } from '../support/cli.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

for (const dialect of DIALECTS)
  describe(`steward users passwd (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect);
      const ws = (await ensureBootstrapped(s.db)).workspace.id;
      await addUser(s.db, { workspaceId: ws, email: 'owner@example.com', role: 'owner' }, cliActor());
    });
    after(() => s.cleanup());
    const passwd = (input?: string, extra = ['--password-stdin']) =>
      runCli(['users', 'passwd', 'owner@example.com', ...extra, ...storeArgs(s)], os.tmpdir(), {}, input);
    const stored = () => s.db.selectFrom('user_credentials').select('password_hash').execute();

    it('refuses a short password (exit 2) and stores nothing', async () => {
      const r = await passwd('short\n');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /at least 15 characters/);
      assert.equal((await stored()).length, 0);
    });
    it('asks for --password-stdin when there is no terminal', async () => {
      const r = await passwd(undefined, []);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /--password-stdin/);
    });
    it('sets the password from standard input', async () => {
      const r = await passwd('correct horse battery\n');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Password set for owner@example.com/);
      const rows = await stored();
      assert.equal(rows.length, 1);
      assert.match(rows[0]!.password_hash, /^\$argon2id\$/);
    });
  });

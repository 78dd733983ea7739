// One-time links on both databases: the first `steward serve` prints a setup link (once: a second
// start prints none, nor one after an owner has a password), which makes the first owner through
// POST /auth/set-password; an owner makes a reset link (admin route or `steward users reset-link`)
// that sets the user's password once, ends their sessions, and is refused when used again or
// expired; a refused password leaves the link usable. Each step is an AUTH_LOG record, and the
// chain verifies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyChain } from '../../src/compliance/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser, PASSWORD, signIn, signInRequest, userWithPassword } from '../support/accounts.js';
import { runCli, storeArgs } from '../support/cli.js';
import { cliEntry } from '../support/cli-entry.js';
import { downloadAll } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

const NEW_PASSWORD = 'an entirely new pass phrase';

/** Starts `steward serve --json` on the store, reads its banner, and stops it. */
function serveBanner(t: TestApp, dir: string): Promise<Record<string, any>> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_')));
  const child = spawn(process.execPath, [...cliEntry(), 'serve', '--port', '0', '--json', ...storeArgs(t.store)], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) child.kill('SIGTERM');
    });
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.split('\n')[0]));
      } catch {
        reject(new Error(`no banner: ${out} ${err}`));
      }
    });
  });
}

const tokenOf = (url: string) => /#token=([A-Za-z0-9_-]+)$/.exec(url)![1];

for (const dialect of DIALECTS) {
  describe(`account links (${dialect})`, () => {
    let t: TestApp;
    let dir: string;
    let reader: string;
    const setPassword = (body: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/set-password',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const authLog = async () =>
      (await downloadAll(t.app, t.workspaceId, reader, 'AUTH_LOG', 1000)).map((r) => r.content as Record<string, any>);

    before(async () => {
      t = await makeApp(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-links-'));
      reader = await t.key(['codex.enterprise.compliance.read']);
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the first serve prints a setup link, once; it makes the first owner, who then signs in', async () => {
      const first = await serveBanner(t, dir);
      assert.match(first.setup_link, /^http:\/\/127\.0\.0\.1:\d+\/auth\/set-password#token=[A-Za-z0-9_-]{43}$/);
      assert.equal((await serveBanner(t, dir)).setup_link, null, 'a second start prints no new link');
      const token = tokenOf(first.setup_link);
      const noEmail = await setPassword({ token, password: NEW_PASSWORD });
      assert.equal(noEmail.statusCode, 422, noEmail.body);
      assert.match(noEmail.json().error.message, /^email: is required/);
      const r = await setPassword({ token, password: NEW_PASSWORD, email: 'root@example.com', name: 'Root' });
      assert.equal(r.statusCode, 200, r.body);
      const owner = await signIn(t, 'root@example.com', NEW_PASSWORD);
      const me = await asBrowser(t, owner, { url: '/auth/session' });
      assert.equal(me.json().user.role, 'owner');
      assert.equal((await setPassword({ token, password: NEW_PASSWORD, email: 'x@example.com' })).statusCode, 410);
      assert.equal((await serveBanner(t, dir)).setup_link, null, 'an owner has a password now');
    });

    it("an owner's reset link sets the password once and ends the user's sessions", async () => {
      await userWithPassword(t, 'boss@example.com', 'owner');
      const userId = await userWithPassword(t, 'dev@example.com', 'member');
      const boss = await signIn(t, 'boss@example.com');
      const dev = await signIn(t, 'dev@example.com');
      const url = `/v1/admin/workspaces/${t.workspaceId}/users/${userId}/reset_link`;
      assert.equal((await asBrowser(t, dev, { method: 'POST', url })).statusCode, 403, 'a member may not');
      const made = await asBrowser(t, boss, { method: 'POST', url });
      assert.equal(made.statusCode, 201, made.body);
      assert.equal(made.json().email, 'dev@example.com');
      const token = tokenOf(made.json().url);
      const stored = await t.store.db
        .selectFrom('account_links')
        .selectAll()
        .where('id', '=', made.json().id)
        .executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(stored).includes(token), 'only a hash of the token is stored');

      const weak = await setPassword({ token, password: 'short' });
      assert.equal(weak.statusCode, 422, weak.body);
      const r = await setPassword({ token, password: NEW_PASSWORD });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().sessions_ended, 1);
      assert.equal((await asBrowser(t, dev, { url: '/auth/session' })).statusCode, 401, 'the old session ended');
      assert.equal((await signInRequest(t, 'dev@example.com', PASSWORD)).statusCode, 401, 'the old password is gone');
      assert.equal((await signInRequest(t, 'dev@example.com', NEW_PASSWORD)).statusCode, 200);
      const again = await setPassword({ token, password: 'yet another pass phrase' });
      assert.equal(again.statusCode, 410);
      assert.equal(again.json().error.code, 'invalid_link');
    });

    it('an expired or unknown link is refused; `steward users reset-link` makes one that works', async () => {
      const run = await runCli(['users', 'reset-link', 'dev@example.com', '--json', ...storeArgs(t.store)], dir);
      assert.equal(run.code, 0, run.stderr);
      const link = JSON.parse(run.stdout);
      const token = tokenOf(link.url);
      await t.store.db
        .updateTable('account_links')
        .set({ expires_at: Date.now() - 1 })
        .where('used_at', 'is', null)
        .execute();
      assert.equal((await setPassword({ token, password: NEW_PASSWORD })).statusCode, 410, 'expired');
      assert.equal((await setPassword({ token: 'A'.repeat(43), password: NEW_PASSWORD })).statusCode, 410, 'unknown');
      const fresh = JSON.parse(
        (await runCli(['users', 'reset-link', 'dev@example.com', '--json', ...storeArgs(t.store)], dir)).stdout,
      );
      const ok = await setPassword({ token: tokenOf(fresh.url), password: 'the third pass phrase here' });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('every link made and used is in AUTH_LOG, and the chain verifies', async () => {
      const log = await authLog();
      const count = (event: string) => log.filter((c) => c.event === event).length;
      assert.equal(count('setup_link_created'), 1);
      assert.equal(count('reset_link_created'), 3);
      assert.equal(count('password_set'), 3);
      // The setup link and a reset link used again, an expired and an unknown token: 4 refusals
      // from the test's one address, one fold (a record and a summary of the rest).
      await t.ctx.authFailures.flush();
      const refused = (await authLog()).filter((c) => c.reason === 'invalid_link');
      const attempts = refused.reduce((n, c) => n + (c.repeated?.count ?? 1), 0);
      assert.equal(attempts, 4);
      assert.equal(refused[0].path, '/auth/set-password');
      assert.equal(
        log.find((c) => c.event === 'reset_link_created' && c.actor?.type === 'user')!.user_id !== null,
        true,
      );
      assert.ok(log.some((c) => c.event === 'reset_link_created' && c.actor?.type === 'cli'));
      const report = await verifyChain(t.store.db, t.workspaceId);
      assert.equal(report.ok, true);
    });
  });
}

// Browser sign-in on both databases: password sign-in sets an HttpOnly, SameSite=Lax session cookie
// whose value is stored only as a hash; GET /auth/session answers who is signed in; sign-out ends
// one session and sign-out everywhere all of the user's; idle and absolute expiry refuse a session;
// a state-changing request without the CSRF token is refused, as is a cross-origin sign-in;
// failures are throttled per account and per address with a wait that decays, never a lock-out; and
// every one of these is an AUTH_LOG record (failures folded), in a chain that verifies.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWorkspace, removeUser } from '../../src/access/index.js';
import { verifyChain } from '../../src/compliance/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser, PASSWORD, setCookie, signIn, signInRequest, userWithPassword } from '../support/accounts.js';
import { downloadAll } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const dialect of DIALECTS) {
  describe(`sign-in (${dialect})`, () => {
    let t: TestApp;
    let reader: string;
    const authLog = async () =>
      (await downloadAll(t.app, t.workspaceId, reader, 'AUTH_LOG', 1000)).map((r) => r.content as Record<string, any>);
    const session = (b: Parameters<typeof asBrowser>[1]) => asBrowser(t, b, { url: '/auth/session' });

    before(async () => {
      t = await makeApp(dialect, {
        accounts: { account_free_failures: 2, address_free_failures: 4, throttle_cap_minutes: 1 },
      });
      reader = await t.key(['codex.enterprise.compliance.read']);
      await userWithPassword(t, 'ada@example.com', 'analytics_viewer');
      await userWithPassword(t, 'bob@example.com', 'member');
    });
    after(() => t.close());

    it('signs in: an HttpOnly SameSite=Lax cookie, stored only as its hash; GET /auth/session says who', async () => {
      const r = await signInRequest(t, 'Ada@Example.com', PASSWORD);
      assert.equal(r.statusCode, 200, r.body);
      const c = setCookie(r)!;
      assert.match(c.value, /^[A-Za-z0-9_-]{43}$/); // 256 bits
      assert.deepEqual(c.attrs.sort(), ['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Lax']); // no Secure over http
      const body = r.json();
      assert.equal(body.user.email, 'ada@example.com');
      assert.equal(body.user.role, 'analytics_viewer');
      assert.equal(body.workspace_id, t.workspaceId);
      const rows = await t.store.db.selectFrom('user_sessions').selectAll().where('id', '=', body.session_id).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].secret_hash, sha256(c.value));
      assert.ok(!JSON.stringify(rows[0]).includes(c.value), 'the cookie value is not stored');
      assert.equal(Number(rows[0].expires_at) - Number(rows[0].created_at), 12 * 3_600_000);
      assert.equal(Number(rows[0].idle_expires_at) - Number(rows[0].created_at), 60 * 60_000);

      const me = await session({
        cookie: c.value,
        csrf: body.csrf_token,
        sessionId: body.session_id,
        userId: body.user.id,
      });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().user.email, 'ada@example.com');
      assert.equal(me.json().csrf_token, body.csrf_token);
    });

    it('marks the cookie Secure when the public URL is https', async () => {
      const s = await makeApp(dialect, { public_url: 'https://steward.example.com' });
      try {
        await userWithPassword(s, 'sec@example.com', 'owner');
        const r = await signInRequest(s, 'sec@example.com', PASSWORD);
        assert.equal(r.statusCode, 200, r.body);
        assert.ok(setCookie(r)!.attrs.includes('Secure'));
      } finally {
        await s.close();
      }
    });

    it('refuses a wrong password and an unknown email alike (401 invalid_credentials)', async () => {
      for (const [email, pw] of [
        ['bob@example.com', 'not the right password'],
        ['nobody@example.com', PASSWORD],
      ]) {
        const r = await signInRequest(t, email, pw, { ip: '1.1.1.1' });
        assert.equal(r.statusCode, 401, r.body);
        assert.equal(r.json().error.code, 'invalid_credentials');
        assert.equal(setCookie(r), undefined);
      }
      await t.store.db.deleteFrom('sign_in_throttle').execute();
    });

    it('refuses a cross-origin sign-in (403 csrf_failed) and accepts a same-origin one', async () => {
      const bad = await signInRequest(t, 'bob@example.com', PASSWORD, { headers: { origin: 'https://evil.example' } });
      assert.equal(bad.statusCode, 403, bad.body);
      assert.equal(bad.json().error.code, 'csrf_failed');
      const ok = await signInRequest(t, 'bob@example.com', PASSWORD, { headers: { origin: 'http://localhost:80' } });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it("refuses a state-changing request without its CSRF token, or with another session's", async () => {
      const a = await signIn(t, 'bob@example.com');
      const other = await signIn(t, 'ada@example.com');
      for (const csrf of [false, 'x'.repeat(43), other.csrf] as const) {
        const r = await asBrowser(t, a, { method: 'POST', url: '/auth/sign-out', csrf });
        assert.equal(r.statusCode, 403, r.body);
        assert.equal(r.json().error.code, 'csrf_failed');
      }
      assert.equal((await session(a)).statusCode, 200, 'still signed in');
      // A GET needs no token.
      assert.equal((await asBrowser(t, a, { url: '/auth/session', csrf: false })).statusCode, 200);
      // Nor a HEAD, which Fastify answers for every GET route, with the GET's access.
      assert.equal((await asBrowser(t, a, { method: 'HEAD', url: '/auth/session', csrf: false })).statusCode, 200);
    });

    it('signs out one session; the cookie is cleared and the session refused from then on', async () => {
      const a = await signIn(t, 'bob@example.com');
      const b = await signIn(t, 'bob@example.com');
      const r = await asBrowser(t, a, { method: 'POST', url: '/auth/sign-out' });
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(setCookie(r)!.attrs.includes('Max-Age=0'));
      const gone = await session(a);
      assert.equal(gone.statusCode, 401);
      assert.equal(gone.json().error.code, 'invalid_session');
      assert.equal((await session(b)).statusCode, 200, 'the other session stays');
    });

    it("signs out everywhere: every session of the user ends, no one else's", async () => {
      const s = [await signIn(t, 'bob@example.com'), await signIn(t, 'bob@example.com')];
      const ada = await signIn(t, 'ada@example.com');
      const before = await t.store.db
        .selectFrom('user_sessions')
        .select('id')
        .where('user_id', '=', s[0].userId)
        .execute();
      const r = await asBrowser(t, s[0], { method: 'POST', url: '/auth/sign-out-everywhere' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().sessions_ended, before.length);
      for (const x of s) assert.equal((await session(x)).statusCode, 401);
      assert.equal((await session(ada)).statusCode, 200);
    });

    it('expires a session after its idle time and after its absolute lifetime; activity moves the idle expiry', async () => {
      const idle = await signIn(t, 'bob@example.com');
      const abs = await signIn(t, 'bob@example.com');
      const live = await signIn(t, 'bob@example.com');
      const now = Date.now();
      await t.store.db
        .updateTable('user_sessions')
        .set({ idle_expires_at: now - 1 })
        .where('id', '=', idle.sessionId)
        .execute();
      await t.store.db
        .updateTable('user_sessions')
        .set({ expires_at: now - 1 })
        .where('id', '=', abs.sessionId)
        .execute();
      for (const x of [idle, abs]) {
        const r = await session(x);
        assert.equal(r.statusCode, 401, r.body);
        assert.match(r.json().error.message, /expired/);
      }
      // Seen two minutes ago, idle expiry in one minute: a request pushes it to now + 60 min.
      await t.store.db
        .updateTable('user_sessions')
        .set({ last_seen_at: now - 120_000, idle_expires_at: now + 60_000 })
        .where('id', '=', live.sessionId)
        .execute();
      assert.equal((await session(live)).statusCode, 200);
      await t.ctx.sessions.settle(); // written beside the request, not in its path
      const row = await t.store.db
        .selectFrom('user_sessions')
        .selectAll()
        .where('id', '=', live.sessionId)
        .executeTakeFirstOrThrow();
      assert.ok(
        Number(row.idle_expires_at) >= now + 60 * 60_000,
        `idle expiry moved: ${Number(row.idle_expires_at) - now}`,
      );
    });

    it('throttles an account after its free failures with a doubling wait, then lets the right password in', async () => {
      await t.store.db.deleteFrom('sign_in_throttle').execute();
      const ip = { ip: '10.0.0.1' };
      const fail = () => signInRequest(t, 'ada@example.com', 'wrong wrong wrong wrong', ip);
      assert.equal((await fail()).statusCode, 401);
      assert.equal((await fail()).statusCode, 401); // the 2 free failures
      const third = await fail(); // over by one: the next attempt waits 1 s
      assert.equal(third.statusCode, 401);
      const row = await t.store.db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('subject', '=', `account:${t.workspaceId}:ada@example.com`)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.failures), 3);
      assert.equal(Number(row.blocked_until) - Number(row.last_failure_at), 1000);
      // Even the right password waits; a refused attempt does not extend the wait.
      const held = await signInRequest(t, 'ada@example.com', PASSWORD, ip);
      assert.equal(held.statusCode, 429, held.body);
      assert.equal(held.headers['retry-after'], '1');
      const again = await t.store.db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('subject', '=', row.subject)
        .executeTakeFirstOrThrow();
      assert.equal(Number(again.blocked_until), Number(row.blocked_until));
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await fail()).statusCode, 401); // 4th failure: wait 2 s
      const r4 = await t.store.db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('subject', '=', row.subject)
        .executeTakeFirstOrThrow();
      assert.equal(Number(r4.blocked_until) - Number(r4.last_failure_at), 2000);
      // Never a lock-out: failures older than the cap (1 min here) are forgotten.
      await t.store.db
        .updateTable('sign_in_throttle')
        .set({ last_failure_at: Date.now() - 61_000, blocked_until: 0 })
        .where('subject', 'in', [row.subject, 'address:10.0.0.1'])
        .execute();
      assert.equal((await fail()).statusCode, 401);
      const fresh = await t.store.db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('subject', '=', row.subject)
        .executeTakeFirstOrThrow();
      assert.equal(Number(fresh.failures), 1);
      assert.equal(Number(fresh.blocked_until), 0);
      const ok = await signInRequest(t, 'ada@example.com', PASSWORD, ip);
      assert.equal(ok.statusCode, 200, ok.body);
      const cleared = await t.store.db
        .selectFrom('sign_in_throttle')
        .selectAll()
        .where('subject', '=', row.subject)
        .execute();
      assert.equal(cleared.length, 0, 'a success clears the account count');
    });

    it('throttles an address spraying many accounts, while another address still signs in', async () => {
      await t.store.db.deleteFrom('sign_in_throttle').execute();
      const spray = { ip: '10.0.0.2' };
      for (let i = 0; i < 5; i++) {
        const r = await signInRequest(t, `guess${i}@example.com`, 'wrong wrong wrong wrong', spray);
        assert.equal(r.statusCode, 401, `attempt ${i}`); // 4 free, the 5th sets a 1 s wait
      }
      const held = await signInRequest(t, 'bob@example.com', PASSWORD, spray);
      assert.equal(held.statusCode, 429, held.body);
      const elsewhere = await signInRequest(t, 'bob@example.com', PASSWORD, { ip: '10.0.0.3' });
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
    });

    it('names what is wrong with a bad sign-in body, and refuses the session of a removed user', async () => {
      const post = (payload: string) =>
        t.app.inject({
          method: 'POST',
          url: '/auth/sign-in',
          headers: { 'content-type': 'application/json' },
          payload,
        });
      const missing = await post('{"email":"bob@example.com"}');
      assert.equal(missing.statusCode, 422, missing.body);
      assert.equal(missing.json().error.message, 'password: is required');
      const wrongType = await post('{"email":"bob@example.com","password":42}');
      assert.equal(wrongType.statusCode, 422);
      assert.deepEqual(wrongType.json().detail[0].loc, ['body', 'password']);
      assert.equal((await post('{"email":')).statusCode, 400);
      const gone = await userWithPassword(t, 'gone@example.com', 'member');
      const b = await signIn(t, 'gone@example.com');
      await removeUser(t.store.db, t.workspaceId, 'gone@example.com', { type: 'cli', id: 'test' });
      const r = await session(b);
      assert.equal(r.statusCode, 401, r.body);
      assert.match(r.json().error.message, /removed user/);
      assert.equal((await signInRequest(t, 'gone@example.com', PASSWORD)).statusCode, 401, `${gone} signs in no more`);
    });

    it('writes every sign-in, sign-out and failure to AUTH_LOG, failures folded, and the chain verifies', async () => {
      await t.store.db.deleteFrom('sign_in_throttle').execute();
      const beforeLog = await authLog();
      const ip = { ip: '10.9.9.9' };
      for (let i = 0; i < 4; i++) await signInRequest(t, 'ada@example.com', `wrong password number ${i}`, ip);
      const ok = await signInRequest(t, 'bob@example.com', PASSWORD, ip);
      const b = {
        cookie: setCookie(ok)!.value,
        csrf: ok.json().csrf_token,
        sessionId: ok.json().session_id,
        userId: ok.json().user.id,
      };
      await asBrowser(t, b, { method: 'POST', url: '/auth/sign-out' });
      await t.ctx.authFailures.flush();
      const added = (await authLog()).slice(beforeLog.length);
      const failures = added.filter((c) => c.outcome === 'failure' && c.ip === '10.9.9.9');
      // 4 wrong passwords, 2 free: the 3rd makes the next wait, so the 4th is throttled. The first
      // invalid_credentials as it happened, the next 2 as one summary; the throttled one its own fold.
      const folded = failures.map((c) => [c.reason, c.repeated?.count ?? null]);
      assert.deepEqual(folded, [
        ['invalid_credentials', null],
        ['rate_limited', null],
        ['invalid_credentials', 2],
      ]);
      assert.equal(failures[0].path, '/auth/sign-in');
      const signIns = added.filter((c) => c.event === 'sign_in' && c.session_id === b.sessionId);
      assert.equal(signIns.length, 1);
      assert.equal(signIns[0].user_id, b.userId);
      assert.equal(signIns[0].ip, '10.9.9.9');
      assert.equal(added.filter((c) => c.event === 'sign_out' && c.session_id === b.sessionId).length, 1);
      assert.ok(!JSON.stringify(added).includes(b.cookie), 'no cookie value in AUTH_LOG');
      assert.ok(!JSON.stringify(added).includes('wrong password number'), 'no password in AUTH_LOG');
      const report = await verifyChain(t.store.db, t.workspaceId);
      assert.equal(report.ok, true);
    });

    it('needs the workspace when the server has several, and signs into the one named', async () => {
      // Last: from here on every sign-in must name its workspace.
      await createWorkspace(t.store.db, { name: 'second' }, { type: 'cli', id: 'test' });
      const r = await signInRequest(t, 'bob@example.com', PASSWORD);
      assert.equal(r.statusCode, 422, r.body);
      assert.match(r.json().error.message, /^workspace: is required/);
      const named = await t.app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'bob@example.com', password: PASSWORD, workspace: t.workspaceId }),
      });
      assert.equal(named.statusCode, 200, named.body);
      assert.equal(named.json().workspace_id, t.workspaceId);
    });
  });
}

// Single sign-on against a real OpenID Connect provider (oidc-provider) on loopback, on both
// databases: the browser goes start -> provider login and consent -> callback with plain HTTP; the
// callback verifies the ID token and opens a session exactly as password sign-in does. People are
// matched by verified email, an unverified email and a wrong state are refused, first sign-in
// creates the user with the default role when allowed (and is refused when not), the role claim
// maps groups to roles, and every sign-in and refusal is an AUTH_LOG record.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyChain } from '../../src/compliance/index.js';
import { asBrowser, setCookie } from '../support/accounts.js';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { startProvider, type TestProvider, throughProvider } from '../support/oidc-provider.js';
import { DIALECTS } from '../support/stores.js';

const PUBLIC_URL = 'http://steward.test';
const CALLBACK = `${PUBLIC_URL}/auth/oidc/callback`;

const flowCookieOf = (r: { headers: Record<string, unknown> }) => {
  const raw = [r.headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith('steward_oidc='));
  return (raw as string).split(';')[0].slice('steward_oidc='.length);
};

let idp: TestProvider;
before(async () => {
  idp = await startProvider(CALLBACK);
  idp.accounts.set('ada', { email: 'Ada@Example.com', email_verified: true, name: 'Ada' });
  idp.accounts.set('eve', { email: 'eve@example.com', email_verified: false });
  idp.accounts.set('new', { email: 'new@example.com', email_verified: true, name: 'New Person' });
  idp.accounts.set('ana', { email: 'ana@example.com', email_verified: true, groups: ['staff', 'steward-analysts'] });
  idp.accounts.set('own', {
    email: 'own@example.com',
    email_verified: true,
    groups: ['steward-analysts', 'steward-admins'],
  });
});
after(() => idp.close());

for (const dialect of DIALECTS) {
  describe(`OIDC sign-in (${dialect})`, () => {
    let t: TestApp; // auto_create off, roles from the groups claim
    let made: TestApp; // auto_create on, default role analytics_viewer
    const oidcConfig = (extra: Record<string, unknown>) => ({
      public_url: PUBLIC_URL,
      accounts: {
        oidc: { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, ...extra },
      },
    });
    const authLog = async (app: TestApp) => {
      const key = await app.key(['codex.enterprise.compliance.read']);
      return (await downloadAll(app.app, app.workspaceId, key, 'AUTH_LOG', 1000)).map(
        (r) => r.content as Record<string, any>,
      );
    };

    /** The whole browser flow; returns the callback's response and the URL the provider sent back. */
    async function signInVia(app: TestApp, login: string, tamper?: (u: URL) => void) {
      const start = await app.app.inject({ method: 'GET', url: '/auth/oidc/start' });
      assert.equal(start.statusCode, 303, start.body);
      const location = String(start.headers.location);
      assert.ok(location.startsWith(`${idp.issuer}/`), location);
      const sent = new URL(location).searchParams;
      assert.equal(sent.get('code_challenge_method'), 'S256');
      assert.equal(sent.get('redirect_uri'), CALLBACK);
      assert.ok(sent.get('state') && sent.get('nonce') && sent.get('code_challenge'));
      const back = await throughProvider(location, login, CALLBACK);
      tamper?.(back);
      const cb = await app.app.inject({
        method: 'GET',
        url: back.pathname + back.search,
        headers: { cookie: `steward_oidc=${flowCookieOf(start)}`, 'user-agent': 'oidc-test' },
      });
      return cb;
    }

    const who = async (app: TestApp, cb: Awaited<ReturnType<typeof signInVia>>) => {
      assert.equal(cb.statusCode, 303, cb.body);
      assert.equal(cb.headers.location, `${PUBLIC_URL}/`);
      const c = setCookie(cb)!;
      assert.match(c.value, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(c.attrs.sort(), ['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Lax']); // as password sign-in
      const me = await asBrowser(
        app,
        { cookie: c.value, csrf: '', sessionId: '', userId: '' },
        { url: '/auth/session' },
      );
      assert.equal(me.statusCode, 200, me.body);
      return me.json();
    };

    before(async () => {
      t = await makeApp(
        dialect,
        oidcConfig({
          scopes: 'openid email profile groups',
          role_claim: 'groups',
          role_map: { 'steward-analysts': 'analytics_owner', 'steward-admins': 'owner' },
        }),
      );
      made = await makeApp(dialect, oidcConfig({ auto_create: true, default_role: 'analytics_viewer' }));
    });
    after(async () => {
      await t.close();
      await made.close();
    });

    it('signs in an existing user matched by verified email (case-insensitive), with a session like a password one', async () => {
      const ada = await t.user('ada@example.com', 'member');
      const cb = await signInVia(t, 'ada');
      const me = await who(t, cb);
      assert.equal(me.user.id, ada);
      assert.equal(me.user.email, 'ada@example.com');
      assert.equal(me.user.role, 'member'); // no mapped group: the role stays
      const rows = await t.store.db.selectFrom('user_sessions').selectAll().where('id', '=', me.session_id).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].user_id, ada);
      assert.equal(rows[0].user_agent, 'oidc-test');
      const log = (await authLog(t)).filter((r) => r.event === 'sign_in' && r.session_id === me.session_id);
      assert.equal(log.length, 1);
      assert.equal(log[0].identity_provider, idp.issuer);
      assert.equal(log[0].user_id, ada);
      // The flow is single use: the same callback again is refused.
      assert.equal(
        await t.store.db
          .selectFrom('oidc_flows')
          .select('id_hash')
          .execute()
          .then((r) => r.length),
        0,
      );
    });

    it('refuses an email the provider has not verified (403 oidc_refused), in AUTH_LOG', async () => {
      await t.user('eve@example.com', 'owner');
      const cb = await signInVia(t, 'eve');
      assert.equal(cb.statusCode, 403, cb.body);
      assert.equal(cb.json().error.code, 'oidc_refused');
      assert.match(cb.json().error.message, /not verified eve@example\.com/);
      assert.equal(setCookie(cb), undefined);
      const fail = (await authLog(t)).filter((r) => r.outcome === 'failure' && r.reason === 'oidc_refused');
      assert.ok(
        fail.some((r) => /eve@example\.com/.test(r.message)),
        JSON.stringify(fail),
      );
    });

    it('refuses a wrong state (401 oidc_failed), a callback without the flow cookie, and a replay', async () => {
      const wrong = await signInVia(t, 'ada', (u) => u.searchParams.set('state', 'not-the-state'));
      assert.equal(wrong.statusCode, 401, wrong.body);
      assert.equal(wrong.json().error.code, 'oidc_failed');
      assert.match(wrong.json().error.message, /state/);
      assert.equal(setCookie(wrong), undefined);

      const start = await t.app.inject({ method: 'GET', url: '/auth/oidc/start' });
      const back = await throughProvider(String(start.headers.location), 'ada', CALLBACK);
      const noCookie = await t.app.inject({ method: 'GET', url: back.pathname + back.search });
      assert.equal(noCookie.statusCode, 401, noCookie.body);
      assert.equal(noCookie.json().error.code, 'oidc_failed');
      const headers = { cookie: `steward_oidc=${flowCookieOf(start)}` };
      const once = await t.app.inject({ method: 'GET', url: back.pathname + back.search, headers });
      assert.equal(once.statusCode, 303, once.body);
      const replay = await t.app.inject({ method: 'GET', url: back.pathname + back.search, headers });
      assert.equal(replay.statusCode, 401, replay.body);
      const fails = (await authLog(t)).filter((r) => r.outcome === 'failure' && r.reason === 'oidc_failed');
      assert.ok(fails.length >= 1, 'oidc_failed refusals are in AUTH_LOG');
    });

    it('refuses a verified email nobody has when auto-creation is off (403, clear message)', async () => {
      const cb = await signInVia(t, 'new');
      assert.equal(cb.statusCode, 403, cb.body);
      assert.equal(cb.json().error.code, 'oidc_refused');
      assert.match(
        cb.json().error.message,
        /new@example\.com has no account here and accounts\.oidc\.auto_create is off/,
      );
      const u = await t.store.db.selectFrom('users').select('id').where('email', '=', 'new@example.com').execute();
      assert.equal(u.length, 0);
    });

    it('creates the user on first sign-in with the default role when auto-creation is on', async () => {
      const me = await who(made, await signInVia(made, 'new'));
      assert.equal(me.user.email, 'new@example.com');
      assert.equal(me.user.role, 'analytics_viewer');
      const u = await made.store.db.selectFrom('users').selectAll().where('email', '=', 'new@example.com').execute();
      assert.equal(u.length, 1);
      assert.equal(u[0].name, 'New Person');
      assert.equal(u[0].workspace_id, made.workspaceId);
      // A second sign-in finds the same user instead of making another.
      const again = await who(made, await signInVia(made, 'new'));
      assert.equal(again.user.id, me.user.id);
    });

    it('hands the groups claim to the teams hook inside the sign-in transaction', async () => {
      const seen: { user: string; groups: string[] }[] = [];
      let fail = false;
      const hooked = await makeApp(dialect, oidcConfig({ scopes: 'openid email groups', auto_create: true }), {
        oidcGroups: async (trx, user, groups) => {
          // Inside the transaction: the user row the sign-in just made is visible here.
          const row = await trx.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirst();
          seen.push({ user: row!.email, groups });
          if (fail) throw new Error('teams sync failed');
        },
      });
      try {
        await who(hooked, await signInVia(hooked, 'ana'));
        assert.deepEqual(seen, [{ user: 'ana@example.com', groups: ['staff', 'steward-analysts'] }]);
        fail = true; // a failing hook signs nobody in and leaves no session or user behind
        const cb = await signInVia(hooked, 'own');
        assert.equal(cb.statusCode, 500, cb.body);
        const db = hooked.store.db;
        assert.equal(
          (await db.selectFrom('users').select('id').where('email', '=', 'own@example.com').execute()).length,
          0,
        );
        assert.equal((await db.selectFrom('user_sessions').select('id').execute()).length, 1);
      } finally {
        await hooked.close();
      }
    });

    it('answers 409 not_configured when [accounts.oidc] is not set', async () => {
      const plain = await makeApp(dialect);
      try {
        for (const url of ['/auth/oidc/start', '/auth/oidc/callback?code=x&state=y']) {
          const r = await plain.app.inject({ method: 'GET', url });
          assert.equal(r.statusCode, 409, r.body);
          assert.equal(r.json().error.code, 'not_configured');
          assert.match(r.json().error.message, /accounts\.oidc/);
        }
      } finally {
        await plain.close();
      }
    });

    it('by default joins the existing teams the groups claim names, add-only and audited', async () => {
      const app = await makeApp(dialect, oidcConfig({ scopes: 'openid email groups', auto_create: true }));
      try {
        const owner = await app.key(['admin']);
        const admin = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
          app.app.inject({
            method,
            url: `/v1/admin/workspaces/${app.workspaceId}${url}`,
            ...(payload
              ? {
                  payload: JSON.stringify(payload),
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
                }
              : { headers: { authorization: `Bearer ${owner}` } }),
          });
        const staff = (await admin('POST', '/teams', { name: 'staff' })).json();
        const other = (await admin('POST', '/teams', { name: 'platform' })).json();
        await app.user('ana@example.com', 'member');
        assert.equal((await admin('POST', `/teams/${other.id}/members`, { email: 'ana@example.com' })).statusCode, 200);
        await signInVia(app, 'ana'); // groups: staff (a team), steward-analysts (none)
        await signInVia(app, 'ana'); // again: nothing new
        const members = async (id: string) =>
          ((await admin('GET', `/teams/${id}`)).json().member_list as { email: string }[]).map((m) => m.email);
        assert.deepEqual(await members(staff.id), ['ana@example.com']);
        assert.deepEqual(await members(other.id), ['ana@example.com'], 'a hand-made membership stays');
        const read = await app.key(['codex.enterprise.compliance.read']);
        const audits = (await downloadAll(app.app, app.workspaceId, read, 'AUDIT_LOG', 1000))
          .map((r) => r.content as Record<string, any>)
          .filter((c) => c.action === 'team.member_added' && c.after?.via === 'oidc_groups');
        assert.equal(audits.length, 1);
        assert.equal(audits[0].after.identity_provider, idp.issuer);
      } finally {
        await app.close();
      }
    });

    it('maps the role claim: the most privileged mapped group wins, for new and existing users', async () => {
      await t.user('ana@example.com', 'member');
      const ana = await who(t, await signInVia(t, 'ana'));
      assert.equal(ana.user.role, 'analytics_owner'); // staff is unmapped, steward-analysts maps
      const stored = await t.store.db
        .selectFrom('users')
        .select('role')
        .where('id', '=', ana.user.id)
        .executeTakeFirst();
      assert.equal(stored?.role, 'analytics_owner');
      await t.user('own@example.com', 'member');
      const own = await who(t, await signInVia(t, 'own'));
      assert.equal(own.user.role, 'owner'); // owner outranks analytics_owner

      const chain = await verifyChain(t.store.db, t.workspaceId);
      assert.equal(chain.ok, true);
    });
  });
}

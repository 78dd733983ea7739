// The route x role matrix on both databases. EXPECTED below is written from product.md section 6
// (owner everything; security owner compliance; analytics owner and viewer analytics; member their
// own usage; machines' keys ingest), independently of src/core/authz.ts: the table must equal it,
// the OpenAPI document must say it, and every route is called for every role with a session, with
// no credential, an expired session, a session without its CSRF token, and a key of each scope.
// Changing one entry of the table fails the first check and the calls of that route.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSession } from '../../src/accounts/index.js';
import { PUBLIC_ROUTES, ROUTE_ACCESS, describeAccess } from '../../src/core/authz.js';
import { ROLES } from '../../src/core/scopes.js';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser, type Browser } from '../support/accounts.js';
import { downloadAll } from '../support/compliance.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

// Roles by initial: O owner, S security_owner, A analytics_owner, V analytics_viewer, M member
// T team_lead (lower case: only their own rows; t for team_lead: their teams' rows); then the key
// scope (- : no key reaches it).
const INITIAL: Record<string, string> = {
  O: 'owner',
  S: 'security_owner',
  A: 'analytics_owner',
  V: 'analytics_viewer',
  T: 'team_lead',
  M: 'member',
};
const W = '/v1/analytics/codex/workspaces/:workspace_id';
const C = '/v1/compliance/workspaces/:workspace_id';
const AD = '/v1/admin/workspaces';
const EXPECTED: Record<string, [string, string]> = {
  'POST /v1/logs': ['', 'ingest.write'],
  'POST /v1/ingest/code_review_events': ['', 'ingest.write'],
  'POST /v1/ingest/rollouts': ['', 'ingest.write'],
  [`GET ${W}/usage`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`POST ${W}/query`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`GET ${W}/skills`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`GET ${W}/users/:user_id/threads`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`GET ${W}/freshness`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/adoption`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/adoption/seats`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/code_reviews`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/code_review_responses`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/tools`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/usage.csv`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/usage.json`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/users.csv`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/users.json`]: ['OAVtm', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/code_reviews.csv`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${W}/exports/code_reviews.json`]: ['OAV', 'codex.enterprise.analytics.read'],
  [`GET ${AD}`]: ['O', 'admin'],
  [`GET ${AD}/:workspace_id/users`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/users`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/users/:user_id/reset_link`]: ['O', 'admin'],
  [`GET ${AD}/:workspace_id/keys`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/keys`]: ['Oa', 'admin'],
  [`POST ${AD}/:workspace_id/keys/:key_id/revoke`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/keys/:key_id/rotate`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/users/:user_id/role`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/users/:user_id/remove`]: ['O', 'admin'],
  [`GET ${AD}/:workspace_id/settings`]: ['O', 'admin'],
  [`PATCH ${AD}/:workspace_id/settings`]: ['O', 'admin'],
  [`GET ${AD}/:workspace_id/teams`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/teams`]: ['O', 'admin'],
  [`GET ${AD}/:workspace_id/teams/:team_id`]: ['O', 'admin'],
  [`DELETE ${AD}/:workspace_id/teams/:team_id`]: ['O', 'admin'],
  [`POST ${AD}/:workspace_id/teams/:team_id/members`]: ['O', 'admin'],
  [`DELETE ${AD}/:workspace_id/teams/:team_id/members/:user_id`]: ['O', 'admin'],
  [`GET ${C}/logs`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/logs/:log_file_id`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/max_event_time`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/search`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/verify`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/checkpoint`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/checkpoints`]: ['OS', 'codex.enterprise.compliance.read'],
  [`GET ${C}/holds`]: ['OS', 'codex.enterprise.compliance.read'],
  [`POST ${C}/holds`]: ['OS', 'codex.enterprise.compliance.delete'],
  [`POST ${C}/holds/:hold_id/release`]: ['OS', 'codex.enterprise.compliance.delete'],
  [`POST ${C}/retention/run`]: ['OS', 'codex.enterprise.compliance.delete'],
  [`GET ${C}/policy`]: ['OS', 'codex.enterprise.compliance.read'],
  [`PUT ${C}/policy`]: ['OS', 'codex.enterprise.compliance.delete'],
  [`GET ${C}/sinks`]: ['OS', 'codex.enterprise.compliance.read'],
  'GET /auth/session': ['osavlm', '-'],
  'POST /auth/sign-out': ['osavlm', '-'],
  'POST /auth/sign-out-everywhere': ['osavlm', '-'],
};
const SCOPES = [
  'ingest.write',
  'codex.enterprise.analytics.read',
  'codex.enterprise.compliance.read',
  'codex.enterprise.compliance.delete',
  'admin',
];

/** role -> reach, from an EXPECTED entry ('all' for a capital, 'own' for a lower-case initial). */
function expectedRoles(letters: string): Record<string, string> {
  const reach = (l: string) => (l === 't' ? 'team' : l === l.toUpperCase() ? 'all' : 'own');
  return Object.fromEntries([...letters].map((l) => [INITIAL[l === 'l' ? 'T' : l.toUpperCase()], reach(l)]));
}

for (const dialect of DIALECTS) {
  describe(`authorization matrix (${dialect})`, () => {
    let t: TestApp;
    const users: Record<string, string> = {};
    const keys: Record<string, string> = {};
    const fresh = async (role: string, expired = false): Promise<Browser> => {
      const limits = { session_idle_minutes: 60, session_absolute_hours: 12 };
      const s = await startSession(
        t.store.db,
        { id: users[role], workspaceId: t.workspaceId },
        { ip: null, userAgent: null },
        limits,
        expired ? Date.now() - 13 * 3_600_000 : Date.now(),
      );
      return { cookie: s.secret, csrf: s.csrfToken, sessionId: s.sessionId, userId: users[role] };
    };

    before(async () => {
      t = await makeApp(dialect);
      for (const role of ROLES) users[role] = await t.user(`${role}@example.com`, role);
      for (const s of SCOPES) keys[s] = await t.key([s], s === 'ingest.write' ? 'member@example.com' : undefined);
    });
    after(() => t.close());

    it('the table in core/authz.ts is exactly the expected matrix, and lists every served route', () => {
      for (const [id, [letters, scope]] of Object.entries(EXPECTED)) {
        const a = ROUTE_ACCESS[id];
        assert.ok(a, `${id} is missing from core/authz.ts`);
        assert.equal(a.scope ?? '-', scope, `${id}: key scope`);
        assert.deepEqual(a.roles, expectedRoles(letters), `${id}: roles`);
      }
      assert.deepEqual(Object.keys(ROUTE_ACCESS).sort(), Object.keys(EXPECTED).sort());
      for (const r of t.routes) {
        const id = `${r.method} ${r.url}`;
        assert.ok(PUBLIC_ROUTES.has(id) || ROUTE_ACCESS[id], `${id} is neither public nor in the access table`);
      }
    });

    it('the OpenAPI document says who may call each operation, and by which credential', async () => {
      const doc = (await t.app.inject('/openapi.json')).json();
      for (const [id, [letters, scope]] of Object.entries(EXPECTED)) {
        const [method, pattern] = id.split(' ');
        const op = doc.paths[pattern.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
        assert.ok(op, `${id} is not documented`);
        assert.ok(op.description.includes(describeAccess(ROUTE_ACCESS[id])), `${id}: ${op.description}`);
        for (const role of Object.keys(expectedRoles(letters)))
          assert.ok(op.description.includes(role), `${id} names ${role}`);
        const security = [...(scope === '-' ? [] : [{ bearerAuth: [] }]), ...(letters ? [{ sessionCookie: [] }] : [])];
        assert.deepEqual(op.security, security, `${id}: security`);
      }
    });

    it('every route, for every role, no credential, an expired session, no CSRF token and each key scope', async () => {
      for (const [id, [letters, scope]] of Object.entries(EXPECTED)) {
        const [method, pattern] = id.split(' ');
        const url = pattern
          .replace(':workspace_id', t.workspaceId)
          .replace(/:(key_id|user_id|hold_id|log_file_id)/, '00000000-0000-7000-8000-000000000000');
        const payload = method === 'GET' ? undefined : '{}';
        const passes = (r: { statusCode: number; body: string }, who: string) =>
          assert.ok(r.statusCode !== 401 && r.statusCode !== 403, `${id} as ${who}: ${r.statusCode} ${r.body}`);
        const refused = (r: { statusCode: number; json(): any }, status: number, code: string, who: string) => {
          assert.equal(r.statusCode, status, `${id} as ${who}`);
          assert.equal(r.json().error.code, code, `${id} as ${who}`);
        };
        const none = await t.app.inject({
          method: method as 'GET',
          url,
          payload,
          headers: payload ? { 'content-type': 'application/json' } : {},
        });
        refused(none, 401, 'unauthenticated', 'nobody');

        const allowed = expectedRoles(letters);
        for (const role of ROLES) {
          const r = await asBrowser(t, await fresh(role), { method, url, payload });
          if (allowed[role]) passes(r, role);
          else refused(r, 403, 'forbidden_role', role);
          if (method !== 'GET')
            refused(
              await asBrowser(t, await fresh(role), { method, url, payload, csrf: false }),
              403,
              'csrf_failed',
              `${role} without CSRF`,
            );
        }
        refused(
          await asBrowser(t, await fresh('owner', true), { method, url, payload }),
          401,
          'invalid_session',
          'an expired session',
        );

        for (const s of SCOPES) {
          const r = await t.app.inject({
            method: method as 'GET',
            url,
            payload,
            headers: { authorization: `Bearer ${keys[s]}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
          });
          if (scope === '-') refused(r, 403, 'forbidden_scope', `key ${s}`);
          else if ((id === 'POST /v1/logs' || id === 'POST /v1/ingest/rollouts') && s === 'admin')
            refused(r, 403, 'forbidden_scope', 'an admin key (nobody to attribute ingest to)');
          else if (s === scope || s === 'admin') passes(r, `key ${s}`);
          else refused(r, 403, 'forbidden_scope', `key ${s}`);
        }
      }
    });

    it("a member sees only their own usage; an analytics viewer sees everyone's", async () => {
      const other = await t.user('other@example.com', 'member');
      const ingest = { member: keys['ingest.write'], other: await t.key(['ingest.write'], 'other@example.com') };
      const now = Date.now() - 60_000;
      const send = async (key: string, conv: string, input: number) => {
        const recs = [
          { conv, ts: now, kind: 'prompt' as const },
          { conv, ts: now + 1, kind: 'response' as const, input, output: 3 },
        ];
        const r = await t.app.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: JSON.stringify(synthPayload(recs)),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        });
        assert.equal(r.statusCode, 200, r.body);
      };
      await send(ingest.member, 'm-1', 100);
      await send(ingest.member, 'm-2', 20);
      await send(ingest.other, 'o-1', 7000);
      const usage = async (role: string, q = '') => {
        const r = await asBrowser(t, await fresh(role), {
          url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage${q}`,
        });
        return r;
      };
      const mine = await usage('member');
      assert.equal(mine.statusCode, 200, mine.body);
      const rows = mine.json().data;
      assert.deepEqual([...new Set(rows.map((x: any) => x.user_id))], [users.member]);
      assert.equal(
        rows.reduce((n: number, x: any) => n + x.totals.uncached_text_input_tokens, 0),
        120,
      );
      assert.equal(
        rows.reduce((n: number, x: any) => n + x.totals.threads, 0),
        2,
      );
      const all = (await usage('analytics_viewer')).json().data;
      assert.deepEqual([...new Set(all.map((x: any) => x.user_id))].sort(), [users.member, other].sort());
      assert.equal(
        all.reduce((n: number, x: any) => n + x.totals.uncached_text_input_tokens, 0),
        7120,
      );
      // Who looked at whom: the viewer of everyone is on the record, a member reading themselves is not.
      const reader = keys['codex.enterprise.compliance.read'];
      const viewsBy = async (role: string) =>
        (await downloadAll(t.app, t.workspaceId, reader, 'AUDIT_LOG', 1000))
          .map((x) => x.content as any)
          // The usage reads only: the matrix above also called the other person-level reads (adoption).
          .filter(
            (c) =>
              c.action === 'person_data.viewed' && c.actor?.id === users[role] && c.after.what === 'analytics.usage',
          );
      assert.equal((await viewsBy('member')).length, 0);
      assert.deepEqual(
        (await viewsBy('analytics_viewer')).map((c) => c.after.user_ids),
        [[users.member, other].sort()],
      );
      const totals = await usage('member', '?group=workspace');
      assert.equal(totals.statusCode, 403, totals.body);
      assert.equal(totals.json().error.code, 'forbidden_role');

      // A team lead sees the people of their teams: the member (in their team), not the other.
      assert.deepEqual((await usage('team_lead')).json().data, [], 'in no team yet: only themselves');
      const admin = await t.key(['admin']);
      const call = (url: string, payload: unknown) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/admin/workspaces/${t.workspaceId}${url}`,
          payload: JSON.stringify(payload),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        });
      const team = (await call('/teams', { name: 'core' })).json();
      for (const email of ['team_lead@example.com', 'member@example.com'])
        assert.equal((await call(`/teams/${team.id}/members`, { email })).statusCode, 200);
      const led = (await usage('team_lead')).json().data;
      assert.deepEqual([...new Set(led.map((x: any) => x.user_id))], [users.member]);
      assert.equal(
        led.reduce((n: number, x: any) => n + x.totals.uncached_text_input_tokens, 0),
        120,
      );
      assert.equal((await usage('team_lead', '?group=team')).statusCode, 403);
    });

    it('an analytics owner creates analytics keys, and only those', async () => {
      const url = `/v1/admin/workspaces/${t.workspaceId}/keys`;
      const make = async (scopes: string[]) =>
        asBrowser(t, await fresh('analytics_owner'), { method: 'POST', url, payload: JSON.stringify({ scopes }) });
      const ok = await make(['codex.enterprise.analytics.read']);
      assert.equal(ok.statusCode, 201, ok.body);
      assert.deepEqual(ok.json().scopes, ['codex.enterprise.analytics.read']);
      for (const scopes of [['admin'], ['codex.enterprise.analytics.read', 'codex.enterprise.compliance.read']]) {
        const r = await make(scopes);
        assert.equal(r.statusCode, 403, r.body);
        assert.equal(r.json().error.code, 'forbidden_role');
      }
      const asOwner = await asBrowser(t, await fresh('owner'), {
        method: 'POST',
        url,
        payload: '{"scopes":["admin"]}',
      });
      assert.equal(asOwner.statusCode, 201, asOwner.body);
    });

    it("an owner's session changes what an owner key can, and AUDIT_LOG names the user, not a key", async () => {
      const owner = await fresh('owner');
      const r = await asBrowser(t, owner, {
        method: 'POST',
        url: `/v1/admin/workspaces/${t.workspaceId}/users`,
        payload: JSON.stringify({ email: 'hired@example.com', role: 'analytics_viewer' }),
      });
      assert.equal(r.statusCode, 201, r.body);
      const reader = keys['codex.enterprise.compliance.read'];
      const audit = (await downloadAll(t.app, t.workspaceId, reader, 'AUDIT_LOG', 1000)).map((x) => x.content as any);
      const added = audit.filter((c) => c.action === 'user.added' && c.after?.email === 'hired@example.com');
      assert.deepEqual(
        added.map((c) => c.actor),
        [{ type: 'user', id: users.owner }],
      );
    });
  });
}

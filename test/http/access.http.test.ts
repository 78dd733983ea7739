// Access control on every endpoint: for each route and each kind of key, the expected status.
// A new route must be added to ACCESS (the test fails otherwise); the OpenAPI document, generated
// from the route schemas, must describe it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WEB_PAGES } from '../../src/app/web.routes.js';
import { makeApp, type TestApp } from '../support/app.js';

const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /metrics']);
// The dashboard's pages and files: public, the data they show comes from the routes below.
for (const page of [...WEB_PAGES, '/assets/:file']) PUBLIC.add(`GET ${page}`);
// Authenticated by a signature instead of a bearer key (see test/http/github-webhook.http.test.ts),
// and the browser sign-in steps (test/http/sign-in.http.test.ts, test/http/oidc.http.test.ts).
const SIGNED = new Set([
  'POST /v1/integrations/github/webhook',
  'POST /auth/sign-in',
  'POST /auth/set-password',
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
]);
// Browser sessions only: a key is refused (test/http/authorization.http.test.ts runs them for every role).
const SESSION_ONLY = new Set(['GET /auth/session', 'POST /auth/sign-out', 'POST /auth/sign-out-everywhere']);
// route -> the scope it requires (admin keys hold every scope).
export const ACCESS: Record<string, string> = {
  'POST /v1/logs': 'ingest.write',
  'GET /v1/analytics/codex/workspaces/:workspace_id/usage': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/code_reviews': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/code_review_responses': 'codex.enterprise.analytics.read',
  'POST /v1/analytics/codex/workspaces/:workspace_id/query': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/skills': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/users/:user_id/threads': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/freshness': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/adoption': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/adoption/seats': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/usage.csv': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/usage.json': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/users.csv': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/users.json': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/code_reviews.csv': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/exports/code_reviews.json': 'codex.enterprise.analytics.read',
  'GET /v1/analytics/codex/workspaces/:workspace_id/tools': 'codex.enterprise.analytics.read',
  'POST /v1/ingest/code_review_events': 'ingest.write',
  'POST /v1/ingest/rollouts': 'ingest.write',
  'GET /v1/admin/workspaces': 'admin',
  'GET /v1/admin/workspaces/:workspace_id/users': 'admin',
  'GET /v1/admin/workspaces/:workspace_id/settings': 'admin',
  'PATCH /v1/admin/workspaces/:workspace_id/settings': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/users': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/users/:user_id/reset_link': 'admin',
  'GET /v1/admin/workspaces/:workspace_id/keys': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/keys': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/keys/:key_id/revoke': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/keys/:key_id/rotate': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/users/:user_id/role': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/users/:user_id/remove': 'admin',
  'GET /v1/admin/workspaces/:workspace_id/teams': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/teams': 'admin',
  'GET /v1/admin/workspaces/:workspace_id/teams/:team_id': 'admin',
  'DELETE /v1/admin/workspaces/:workspace_id/teams/:team_id': 'admin',
  'POST /v1/admin/workspaces/:workspace_id/teams/:team_id/members': 'admin',
  'DELETE /v1/admin/workspaces/:workspace_id/teams/:team_id/members/:user_id': 'admin',
  'GET /v1/compliance/workspaces/:workspace_id/logs': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/logs/:log_file_id': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/max_event_time': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/search': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/verify': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/checkpoint': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/checkpoints': 'codex.enterprise.compliance.read',
  'GET /v1/compliance/workspaces/:workspace_id/holds': 'codex.enterprise.compliance.read',
  'POST /v1/compliance/workspaces/:workspace_id/holds': 'codex.enterprise.compliance.delete',
  'POST /v1/compliance/workspaces/:workspace_id/holds/:hold_id/release': 'codex.enterprise.compliance.delete',
  'POST /v1/compliance/workspaces/:workspace_id/retention/run': 'codex.enterprise.compliance.delete',
  'GET /v1/compliance/workspaces/:workspace_id/policy': 'codex.enterprise.compliance.read',
  'PUT /v1/compliance/workspaces/:workspace_id/policy': 'codex.enterprise.compliance.delete',
  'GET /v1/compliance/workspaces/:workspace_id/sinks': 'codex.enterprise.compliance.read',
};
interface Operation {
  summary?: string;
  description?: string;
  security?: unknown;
  responses?: Record<string, unknown>;
}
const SCOPES = [
  'ingest.write',
  'codex.enterprise.analytics.read',
  'codex.enterprise.compliance.read',
  'codex.enterprise.compliance.delete',
  'admin',
];

describe('access control (sqlite)', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  before(async () => {
    t = await makeApp('sqlite');
    await t.user('dev@example.com');
    for (const s of SCOPES) keys[s] = await t.key([s], s === 'ingest.write' ? 'dev@example.com' : undefined);
  });
  after(() => t.close());

  it('every route is either public or listed with its scope, and documented', async () => {
    const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
    const documented = (r: { method: string; url: string }) =>
      doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
    for (const r of t.routes) {
      const id = `${r.method} ${r.url}`;
      const op = documented(r);
      assert.ok(op?.summary, `${id} is missing from /openapi.json, or has no summary`);
      assert.ok(
        // A redirect is the success of the OIDC steps.
        op.responses && Object.keys(op.responses).some((s) => s.startsWith('2') || s.startsWith('3')),
        `${id} documents no success response`,
      );
      if (PUBLIC.has(id) || SIGNED.has(id) || SESSION_ONLY.has(id)) continue;
      assert.ok(ACCESS[id], `${id} has no entry in ACCESS`);
      assert.deepEqual(
        (op.security as unknown[] | undefined)?.[0],
        { bearerAuth: [] },
        `${id} does not document its bearer key`,
      );
      assert.ok(op.description?.includes(`Scope ${ACCESS[id]}`), `${id} does not name its scope`);
    }
    // Nothing documented that the app does not serve.
    const served = new Set(t.routes.map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
    for (const [path, ops] of Object.entries(doc.paths))
      for (const m of Object.keys(ops))
        assert.ok(served.has(`${m} ${path}`), `${m} ${path} is documented but not served`);
  });

  it('each route answers 401 without a key, 403 with a key of another scope, and passes auth with its own', async () => {
    for (const [id, scope] of Object.entries(ACCESS)) {
      const [method, pattern] = id.split(' ');
      const url = pattern
        .replace(':workspace_id', t.workspaceId)
        .replace(/:(key_id|user_id)/, '00000000-0000-7000-8000-000000000000');
      const call = (key?: string) =>
        t.app.inject({
          method: method as 'GET',
          url,
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          payload: method === 'POST' ? '{}' : undefined,
        });
      assert.equal((await call()).statusCode, 401, `${id} without key`);
      for (const s of SCOPES) {
        const r = await call(keys[s]);
        if ((id === 'POST /v1/logs' || id === 'POST /v1/ingest/rollouts') && s === 'admin') {
          // An owner key holds the scope but is nobody's: ingest needs a person to attribute to.
          assert.equal(r.statusCode, 403);
          assert.match(r.json().error.message, /not bound to a user/);
        } else if (s === scope || s === 'admin')
          assert.ok(r.statusCode !== 401 && r.statusCode !== 403, `${id} with ${s}: ${r.statusCode} ${r.body}`);
        else {
          assert.equal(r.statusCode, 403, `${id} with ${s}: ${r.body}`);
          assert.equal(r.json().error.code, 'forbidden_scope');
        }
      }
    }
  });

  it('a key cannot read another workspace', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: '/v1/analytics/codex/workspaces/someone-else/usage',
      headers: { authorization: `Bearer ${t.ownerKey}` },
    });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'forbidden_workspace');
  });

  it('keys are stored hashed: no secret appears in the database', async () => {
    const rows = await t.store.db.selectFrom('api_keys').selectAll().execute();
    for (const row of rows)
      for (const secret of Object.values(keys)) assert.ok(!JSON.stringify(row).includes(secret.slice(4)));
  });
});

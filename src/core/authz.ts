// Who may call which route: ONE table, read by the authorization hook (platform/http/auth.ts), by
// the OpenAPI document (each operation says who may call it) and by the authorization matrix test
// (test/http/authorization.http.test.ts). A browser session reaches a route by its user's role; an
// API key by its scopes (`admin` holds every scope, core/scopes.ts), as keys always have.
//
// A role's reach says how much of a route's data it sees: `all` of the workspace, only the
// caller's `own` rows (a member's usage), or the rows of the teams the caller leads (`team`: the
// team lead role; teams plug in through the TeamScope the hook is given, and without one a team
// reach narrows to the caller's own rows).
import type { Scope } from './scopes.js';
import { ROLES } from './scopes.js';

export type Role = (typeof ROLES)[number];
export type Reach = 'all' | 'team' | 'own';
type RoleName = Role;

export interface RouteAccess {
  /** The key scope that reaches the route; null: browser sessions only (the /auth/* routes). */
  scope: Scope | null;
  /** Roles whose sessions reach the route, and how far; a role not named is refused (403). */
  roles: Partial<Record<RoleName, Reach>>;
}

const EVERY_ROLE: RouteAccess['roles'] = {
  owner: 'own',
  security_owner: 'own',
  analytics_owner: 'own',
  analytics_viewer: 'own',
  team_lead: 'own',
  member: 'own',
};
// Ingest: keys of a machine, never a person's session.
const machines = (scope: Scope): RouteAccess => ({ scope, roles: {} });
const analytics: RouteAccess = {
  scope: 'codex.enterprise.analytics.read',
  roles: { owner: 'all', analytics_owner: 'all', analytics_viewer: 'all' },
};
const ownUsage: RouteAccess = {
  ...analytics,
  roles: { ...analytics.roles, member: 'own', team_lead: 'team' /* the people of the teams they are in */ },
};
const complianceRead: RouteAccess = {
  scope: 'codex.enterprise.compliance.read',
  roles: { owner: 'all', security_owner: 'all' },
};
const complianceManage: RouteAccess = { scope: 'codex.enterprise.compliance.delete', roles: complianceRead.roles };
const owner: RouteAccess = { scope: 'admin', roles: { owner: 'all' } };
const session: RouteAccess = { scope: null, roles: EVERY_ROLE };

const A = '/v1/analytics/codex/workspaces/:workspace_id';
const C = '/v1/compliance/workspaces/:workspace_id';
const ADMIN = '/v1/admin/workspaces';

/** `METHOD /route/pattern` -> who may call it. A served route missing here is refused (500) and fails the tests. */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'POST /v1/logs': machines('ingest.write'),
  'POST /v1/ingest/code_review_events': machines('ingest.write'),
  'POST /v1/ingest/rollouts': machines('ingest.write'),
  [`GET ${A}/usage`]: ownUsage,
  // The dashboard's query model: the same reach as usage (a member, their own; a team lead, their teams').
  [`POST ${A}/query`]: ownUsage,
  [`GET ${A}/skills`]: ownUsage,
  [`GET ${A}/users/:user_id/threads`]: ownUsage,
  // Workspace-wide times, no person in them; the overview's indicator for the workspace-wide roles.
  [`GET ${A}/freshness`]: analytics,
  [`GET ${A}/adoption`]: analytics,
  [`GET ${A}/adoption/seats`]: analytics,
  [`GET ${A}/code_reviews`]: analytics,
  [`GET ${A}/code_review_responses`]: analytics,
  [`GET ${A}/tools`]: analytics,
  [`GET ${A}/exports/usage.csv`]: analytics,
  [`GET ${A}/exports/usage.json`]: analytics,
  [`GET ${A}/exports/users.csv`]: ownUsage,
  [`GET ${A}/exports/users.json`]: ownUsage,
  [`GET ${A}/exports/code_reviews.csv`]: analytics,
  [`GET ${A}/exports/code_reviews.json`]: analytics,
  [`GET ${ADMIN}`]: owner,
  [`GET ${ADMIN}/:workspace_id/users`]: owner,
  [`POST ${ADMIN}/:workspace_id/users`]: owner,
  [`POST ${ADMIN}/:workspace_id/users/:user_id/reset_link`]: owner,
  [`GET ${ADMIN}/:workspace_id/keys`]: owner,
  // An analytics owner makes analytics keys only (`own`: the route refuses any other scope for them).
  [`POST ${ADMIN}/:workspace_id/keys`]: { scope: 'admin', roles: { owner: 'all', analytics_owner: 'own' } },
  [`POST ${ADMIN}/:workspace_id/keys/:key_id/revoke`]: owner,
  [`POST ${ADMIN}/:workspace_id/keys/:key_id/rotate`]: owner,
  [`POST ${ADMIN}/:workspace_id/users/:user_id/role`]: owner,
  [`POST ${ADMIN}/:workspace_id/users/:user_id/remove`]: owner,
  [`GET ${ADMIN}/:workspace_id/settings`]: owner,
  [`PATCH ${ADMIN}/:workspace_id/settings`]: owner,
  [`GET ${ADMIN}/:workspace_id/teams`]: owner,
  [`POST ${ADMIN}/:workspace_id/teams`]: owner,
  [`GET ${ADMIN}/:workspace_id/teams/:team_id`]: owner,
  [`DELETE ${ADMIN}/:workspace_id/teams/:team_id`]: owner,
  [`POST ${ADMIN}/:workspace_id/teams/:team_id/members`]: owner,
  [`DELETE ${ADMIN}/:workspace_id/teams/:team_id/members/:user_id`]: owner,
  [`GET ${C}/logs`]: complianceRead,
  [`GET ${C}/logs/:log_file_id`]: complianceRead,
  [`GET ${C}/max_event_time`]: complianceRead,
  [`GET ${C}/search`]: complianceRead,
  [`GET ${C}/verify`]: complianceRead,
  [`GET ${C}/checkpoint`]: complianceRead,
  [`GET ${C}/checkpoints`]: complianceRead,
  [`GET ${C}/holds`]: complianceRead,
  [`POST ${C}/holds`]: complianceManage,
  [`POST ${C}/holds/:hold_id/release`]: complianceManage,
  [`POST ${C}/retention/run`]: complianceManage,
  [`GET ${C}/policy`]: complianceRead,
  [`PUT ${C}/policy`]: complianceManage,
  [`GET ${C}/sinks`]: complianceRead,
  'GET /auth/session': session,
  'POST /auth/sign-out': session,
  'POST /auth/sign-out-everywhere': session,
};

/** Routes anyone may call: health, the document, metrics, and the steps before a session exists. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /openapi.json',
  'GET /metrics',
  'POST /auth/sign-in',
  'POST /auth/set-password',
  'GET /auth/oidc/start', // single sign-on: before a session exists, like password sign-in
  'GET /auth/oidc/callback',
  'POST /v1/integrations/github/webhook', // authenticated by its HMAC signature instead
  // The dashboard's static files: the page signs in through /auth/* and reads the API with its session.
  'GET /',
  'GET /sign-in',
  'GET /auth/set-password',
  'GET /users/:user_id',
  'GET /teams',
  'GET /adoption',
  'GET /keys',
  'GET /admin',
  'GET /assets/:file',
  'GET /code-review',
  'GET /tools',
  'GET /compliance',
]);

/** How far a session of `role` reaches on the route; undefined: refused. */
export function roleReach(access: RouteAccess, role: string): Reach | undefined {
  return (access.roles as Record<string, Reach | undefined>)[role];
}

/** One line for the OpenAPI description: who may call the operation. */
export function describeAccess(access: RouteAccess): string {
  const roles = Object.entries(access.roles).map(([r, reach]) => (reach === 'all' ? r : `${r} (${reach} rows)`));
  const key = !access.scope
    ? 'No API key (browser sessions only)'
    : `Scope ${access.scope}${access.scope === 'admin' ? '' : ' (or admin)'}`;
  return `${key}. Roles: ${roles.length ? roles.join(', ') : 'none (machine keys only)'}.`;
}

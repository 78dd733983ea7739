// Admin API: the same use-cases as the CLI, behind the `admin` scope.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createKey, DEFAULT_ROTATION_GRACE_MS, listKeyViews, revokeKey, rotateKey } from './keys.service.js';
import { addUser, changeRole, removeUser, userInWorkspace, workspaceUserPage } from './users.service.js';
import { workspaceById } from './workspaces.service.js';
import { addTeamMember, createTeam, deleteTeam, listTeams, removeTeamMember, showTeam } from './teams.service.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../platform/http/contract.js';
import * as c from './admin.contract.js';
import { StewardError } from '../core/errors.js';
import { analyticsPrivacy, privacyView, updateAnalyticsSettings } from './workspace-settings.service.js';
import type { EffectivePrivacy } from '../core/analytics-privacy.js';

const ANALYTICS_SCOPE = 'codex.enterprise.analytics.read';

export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const preValidation = requireAccess(ctx);
  const admin = <T extends { response: object }>(doc: T) => ({
    onRequest: preValidation, // on headers: a body is not parsed for a request without a valid key
    schema: { ...doc, security: BEARER, response: { ...doc.response, ...AUTH_ERRORS, ...INVALID } },
  });
  const BASE = '/v1/admin/workspaces/:workspace_id';

  // A key belongs to one workspace: the list is that one.
  app.get('/v1/admin/workspaces', admin(c.workspacesRoute), async (req) => {
    const ws = await workspaceById(db, req.principal!.workspaceId);
    return { object: 'list', data: ws ? [ws] : [] };
  });

  app.get(`${BASE}/users`, admin(c.usersRoute), async (req) => {
    const q = req.query;
    return workspaceUserPage(db, req.principal!.workspaceId, {
      search: q.search || undefined,
      people: q.people === 'true',
      limit: q.limit,
      offset: q.offset,
    });
  });
  app.post(`${BASE}/users`, admin(c.addUserRoute), async (req, reply) => {
    const b = req.body;
    const fields = {
      workspaceId: req.principal!.workspaceId,
      email: b.email,
      name: b.name,
      role: b.role,
      githubLogin: b.github_login,
    };
    return reply.code(201).send(await addUser(db, fields, actorOf(req.principal!)));
  });

  app.get(`${BASE}/keys`, admin(c.keysRoute), async (req) => ({
    object: 'list',
    data: await listKeyViews(db, req.principal!.workspaceId),
  }));
  app.post(`${BASE}/keys`, admin(c.createKeyRoute), async (req, reply) => {
    const b = req.body;
    const p = req.principal!;
    if (p.via === 'session' && p.role === 'analytics_owner' && b.scopes.some((s) => s !== ANALYTICS_SCOPE))
      throw new StewardError('forbidden_role', `an analytics owner creates ${ANALYTICS_SCOPE} keys only`);
    const fields = {
      workspaceId: req.principal!.workspaceId,
      scopes: b.scopes,
      userEmail: b.user,
      name: b.name,
      sharedCollector: b.shared_collector,
      service: b.service,
    };
    const { key, secret } = await createKey(db, fields, actorOf(req.principal!));
    return reply.code(201).send({ ...key, secret });
  });
  app.post(`${BASE}/keys/:key_id/revoke`, admin(c.revokeKeyRoute), async (req) =>
    revokeKey(db, req.params.key_id, actorOf(req.principal!), req.principal!.workspaceId),
  );
  app.post(`${BASE}/keys/:key_id/rotate`, admin(c.rotateKeyRoute), async (req, reply) => {
    const hours = req.body.grace_hours;
    const grace = hours === undefined ? DEFAULT_ROTATION_GRACE_MS : hours * 3_600_000;
    const { key, secret, old } = await rotateKey(
      db,
      req.params.key_id,
      grace,
      actorOf(req.principal!),
      req.principal!.workspaceId,
    );
    return reply.code(201).send({ ...key, secret, old });
  });

  app.post(`${BASE}/users/:user_id/role`, admin(c.setRoleRoute), async (req) => {
    const ws = req.principal!.workspaceId;
    const user = await userInWorkspace(db, ws, req.params.user_id);
    return changeRole(db, ws, user.email, req.body.role, actorOf(req.principal!));
  });
  app.post(`${BASE}/users/:user_id/remove`, admin(c.removeUserRoute), async (req) => {
    const ws = req.principal!.workspaceId;
    const user = await userInWorkspace(db, ws, req.params.user_id);
    const { user: removed, revokedKeys } = await removeUser(db, ws, user.email, actorOf(req.principal!));
    return { ...removed, revoked_keys: revokedKeys };
  });

  const ws = (req: { principal?: { workspaceId: string } }) => req.principal!.workspaceId;
  const server = ctx.config.analytics;
  const settings = (p: EffectivePrivacy) => ({
    object: 'workspace.settings',
    show_emails: p.showEmails,
    min_team_size: p.minTeamSize,
    lookback_days: server.lookback_days,
    public_url: ctx.config.public_url ?? null,
    ...privacyView(server, p),
  });
  app.get(`${BASE}/settings`, admin(c.settingsRoute), async (req) =>
    settings(await analyticsPrivacy(db, ws(req), server)),
  );
  app.patch(`${BASE}/settings`, admin(c.updateSettingsRoute), async (req) =>
    settings(await updateAnalyticsSettings(db, ws(req), req.body, server, actorOf(req.principal!))),
  );
  app.get(`${BASE}/teams`, admin(c.teamsRoute), async (req) => ({
    object: 'list',
    data: await listTeams(db, ws(req)),
  }));
  app.post(`${BASE}/teams`, admin(c.createTeamRoute), async (req, reply) =>
    reply.code(201).send(await createTeam(db, ws(req), req.body.name, actorOf(req.principal!))),
  );
  app.get(`${BASE}/teams/:team_id`, admin(c.teamRoute), async (req) => showTeam(db, ws(req), req.params.team_id));
  app.delete(`${BASE}/teams/:team_id`, admin(c.deleteTeamRoute), async (req) =>
    deleteTeam(db, ws(req), req.params.team_id, actorOf(req.principal!)),
  );
  app.post(`${BASE}/teams/:team_id/members`, admin(c.addMemberRoute), async (req) =>
    addTeamMember(db, ws(req), req.params.team_id, req.body.email, actorOf(req.principal!)),
  );
  app.delete(`${BASE}/teams/:team_id/members/:user_id`, admin(c.removeMemberRoute), async (req) =>
    removeTeamMember(db, ws(req), req.params.team_id, req.params.user_id, actorOf(req.principal!)),
  );
}

// Admin API: the same use-cases as the CLI, behind the `admin` scope.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createKey, listKeyViews, revokeKey } from './keys.service.js';
import { addUser, workspaceUsers } from './users.service.js';
import { workspaceById } from './workspaces.service.js';
import { requireScope } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../platform/http/contract.js';
import * as c from './admin.contract.js';

export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const preValidation = requireScope(ctx, 'admin');
  const admin = <T extends { response: object }>(doc: T) => ({
    onRequest: preValidation, // on headers: a body is not parsed for a request without a valid key
    schema: { ...doc, security: BEARER, response: { ...doc.response, ...AUTH_ERRORS, ...INVALID } },
  });
  const actor = (keyId: string) => ({ type: 'key' as const, id: keyId });
  const BASE = '/v1/admin/workspaces/:workspace_id';

  // A key belongs to one workspace: the list is that one.
  app.get('/v1/admin/workspaces', admin(c.workspacesRoute), async (req) => {
    const ws = await workspaceById(db, req.principal!.workspaceId);
    return { object: 'list', data: ws ? [ws] : [] };
  });

  app.get(`${BASE}/users`, admin(c.usersRoute), async (req) => ({
    object: 'list',
    data: await workspaceUsers(db, req.principal!.workspaceId),
  }));
  app.post(`${BASE}/users`, admin(c.addUserRoute), async (req, reply) => {
    const b = req.body;
    const fields = {
      workspaceId: req.principal!.workspaceId,
      email: b.email,
      name: b.name,
      role: b.role,
      githubLogin: b.github_login,
    };
    return reply.code(201).send(await addUser(db, fields, actor(req.principal!.keyId)));
  });

  app.get(`${BASE}/keys`, admin(c.keysRoute), async (req) => ({
    object: 'list',
    data: await listKeyViews(db, req.principal!.workspaceId),
  }));
  app.post(`${BASE}/keys`, admin(c.createKeyRoute), async (req, reply) => {
    const b = req.body;
    const fields = {
      workspaceId: req.principal!.workspaceId,
      scopes: b.scopes,
      userEmail: b.user,
      name: b.name,
      sharedCollector: b.shared_collector,
    };
    const { key, secret } = await createKey(db, fields, actor(req.principal!.keyId));
    return reply.code(201).send({ ...key, secret });
  });
  app.post(`${BASE}/keys/:key_id/revoke`, admin(c.revokeKeyRoute), async (req) =>
    revokeKey(db, req.params.key_id, actor(req.principal!.keyId), req.principal!.workspaceId),
  );
}

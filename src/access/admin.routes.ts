// Admin API: the same use-cases as the CLI, behind the `admin` scope.
import type { FastifyInstance } from 'fastify';
import { validationError } from '../core/errors.js';
import { createKey, listKeyViews, revokeKey } from './keys.service.js';
import { addUser, workspaceUsers } from './users.service.js';
import { workspaceById } from './workspaces.service.js';
import { requireScope } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';

type Body = Record<string, unknown>;
const str = (b: Body, k: string, required = false): string | undefined => {
  const v = b[k];
  if (v === undefined || v === null) {
    if (required) throw validationError(k, 'is required', 'body', 'value_error.missing');
    return undefined;
  }
  if (typeof v !== 'string') throw validationError(k, 'must be a string', 'body', 'type_error.str');
  return v;
};

export async function adminRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.store.db;
  const admin = { preHandler: requireScope(ctx, 'admin') };
  const actor = (keyId: string) => ({ type: 'key' as const, id: keyId });

  // A key belongs to one workspace: the list is that one.
  app.get('/v1/admin/workspaces', admin, async (req) => {
    const ws = await workspaceById(db, req.principal!.workspaceId);
    return { object: 'list', data: ws ? [ws] : [] };
  });

  app.get('/v1/admin/workspaces/:workspace_id/users', admin, async (req) => ({ object: 'list', data: await workspaceUsers(db, req.principal!.workspaceId) }));
  app.post('/v1/admin/workspaces/:workspace_id/users', admin, async (req, reply) => {
    const b = (req.body ?? {}) as Body;
    const user = await addUser(db, { workspaceId: req.principal!.workspaceId, email: str(b, 'email', true)!, name: str(b, 'name'), role: str(b, 'role'), githubLogin: str(b, 'github_login') }, actor(req.principal!.keyId));
    return reply.code(201).send(user);
  });

  app.get('/v1/admin/workspaces/:workspace_id/keys', admin, async (req) => ({ object: 'list', data: await listKeyViews(db, req.principal!.workspaceId) }));
  app.post('/v1/admin/workspaces/:workspace_id/keys', admin, async (req, reply) => {
    const b = (req.body ?? {}) as Body;
    const scopes = b.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) throw validationError('scopes', 'must be an array of scope names', 'body', 'type_error.list');
    const { key, secret } = await createKey(
      db,
      { workspaceId: req.principal!.workspaceId, scopes: scopes as string[], userEmail: str(b, 'user'), name: str(b, 'name'), sharedCollector: b.shared_collector === true },
      actor(req.principal!.keyId),
    );
    return reply.code(201).send({ ...key, secret });
  });
  app.post('/v1/admin/workspaces/:workspace_id/keys/:key_id/revoke', admin, async (req) => {
    const { key_id } = req.params as { key_id: string };
    return revokeKey(db, key_id, actor(req.principal!.keyId), req.principal!.workspaceId);
  });
}

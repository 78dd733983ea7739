// Bearer key authentication with a required scope, as a preHandler. Every route names its scope.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { StewardError } from '../core/errors.js';
import type { Scope } from '../core/scopes.js';
import { authenticate, type AuthenticatedKey } from '../services/keys.service.js';
import type { Db } from '../storage/database.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: AuthenticatedKey;
  }
}

export function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (!m) throw new StewardError('unauthenticated');
  return m[1];
}

export function requireScope(db: Db, scope: Scope): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    req.principal = await authenticate(db, bearer(req), scope);
    const ws = (req.params as { workspace_id?: string } | undefined)?.workspace_id;
    if (ws !== undefined && ws !== req.principal.workspaceId) throw new StewardError('forbidden_workspace');
  };
}

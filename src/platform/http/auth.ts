// Bearer key authentication with a required scope, as a hook. Every route names its scope. Routes
// that take a body run it onRequest, so a request without a valid key never has its body read.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { StewardError } from '../../core/errors.js';
import type { Scope } from '../../core/scopes.js';
import type { AuthenticatedKey, AuthFailure } from '../../core/credentials.js';

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

// What the access capability provides (app/ wires it): key checks, and the record of refusals.
export interface Authenticator {
  authenticate(secret: string, needed: Scope): Promise<AuthenticatedKey>;
}
export interface RefusalLog {
  record(f: AuthFailure): Promise<void>;
}
export interface AuthContext {
  auth: Authenticator;
  authFailures: RefusalLog;
}

export function requireScope(ctx: AuthContext, scope: Scope): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    await authenticate(ctx, req, scope);
  };
}

/** Sets req.principal from the bearer key, or throws the 401/403 (recorded in AUTH_LOG). */
export async function authenticate(ctx: AuthContext, req: FastifyRequest, scope: Scope): Promise<AuthenticatedKey> {
  const ws = (req.params as { workspace_id?: string } | undefined)?.workspace_id;
  try {
    req.principal = await ctx.auth.authenticate(bearer(req), scope);
    if (ws !== undefined && ws !== req.principal.workspaceId) throw new StewardError('forbidden_workspace');
    return req.principal;
  } catch (e) {
    if (e instanceof StewardError && (e.status === 401 || e.status === 403))
      await logAuthFailure(ctx.authFailures, req, e, scope, ws);
    throw e;
  }
}

// Every refusal lands in AUTH_LOG; failing to record it must not change the answer.
async function logAuthFailure(
  log: RefusalLog,
  req: FastifyRequest,
  e: StewardError,
  scope: Scope,
  ws: string | undefined,
): Promise<void> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  await log
    .record({
      code: e.code,
      message: e.message,
      secret: m?.[1],
      keyWorkspace: req.principal?.workspaceId,
      method: req.method,
      path: req.url.split('?')[0],
      route: req.routeOptions?.url ?? null,
      requiredScope: scope,
      requestedWorkspace: ws ?? null,
      ip: req.ip ?? null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    })
    .catch((err) => req.log.error({ err }, 'could not record the authentication failure in AUTH_LOG'));
}

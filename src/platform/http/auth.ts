// Authentication and authorization of every non-public route, as one preValidation hook: a bearer
// key (checked for the route's scope) or a browser session cookie (checked for the route's roles,
// and for its CSRF token on a state-changing method). Who may call what is the table in
// core/authz.ts, looked up by the route's method and pattern, so a route cannot name a scope of its
// own that the table and the OpenAPI document do not know.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { StewardError } from '../../core/errors.js';
import type { Scope } from '../../core/scopes.js';
import { ROUTE_ACCESS, roleReach, type Reach, type RouteAccess } from '../../core/authz.js';
import type { AuthenticatedKey, AuthenticatedSession, AuthFailure, Principal } from '../../core/credentials.js';
import { sessionCookie } from './cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (!m) throw new StewardError('unauthenticated');
  return m[1];
}

// What the access and accounts capabilities provide (app/ wires them): key and session checks,
// the record of refusals, and (once teams exist) who a team lead's teams hold.
export interface Authenticator {
  authenticate(secret: string, needed: Scope): Promise<AuthenticatedKey>;
}
export interface SessionAuthenticator {
  /** Throws invalid_session for an unknown, expired or signed-out session. */
  authenticate(secret: string): Promise<AuthenticatedSession>;
}
export interface TeamScope {
  /** The users of the teams `userId` leads (the caller included). */
  usersLedBy(workspaceId: string, userId: string): Promise<string[]>;
}
export interface RefusalLog {
  record(f: AuthFailure): Promise<void>;
}
export interface AuthContext {
  auth: Authenticator;
  sessions: SessionAuthenticator;
  authFailures: RefusalLog;
  teams?: TeamScope;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The route's entry of the access table; a route without one is a programming error (500). */
export function routeAccess(method: string, url: string): RouteAccess {
  // Fastify answers HEAD for every GET route: the same access.
  const access = ROUTE_ACCESS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
  if (!access) throw new StewardError('internal', `route ${method} ${url} has no entry in core/authz.ts`);
  return access;
}

/** The hook of every authenticated route (its entry in core/authz.ts says who passes). Routes that take
 * a body run it onRequest, so a request without a valid credential never has its body read. */
export function requireAccess(ctx: AuthContext): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    await authorize(ctx, req);
  };
}

/** Sets req.principal from the bearer key or the session cookie, or throws the 401/403 (in AUTH_LOG). */
export async function authorize(ctx: AuthContext, req: FastifyRequest): Promise<Principal> {
  const ws = (req.params as { workspace_id?: string } | undefined)?.workspace_id;
  const access = routeAccess(req.method, req.routeOptions.url ?? '');
  try {
    req.principal =
      req.headers.authorization === undefined && sessionCookie(req) !== undefined
        ? await viaSession(ctx, req, access)
        : await viaKey(ctx, req, access);
    if (ws !== undefined && ws !== req.principal.workspaceId) throw new StewardError('forbidden_workspace');
    return req.principal;
  } catch (e) {
    if (e instanceof StewardError && (e.status === 401 || e.status === 403))
      await logAuthFailure(ctx.authFailures, req, e, access.scope, ws);
    throw e;
  }
}

async function viaKey(ctx: AuthContext, req: FastifyRequest, access: RouteAccess): Promise<Principal> {
  const secret = bearer(req);
  if (!access.scope) throw new StewardError('forbidden_scope', 'this route takes a browser session, not an API key');
  const k = await ctx.auth.authenticate(secret, access.scope);
  return { via: 'key', sessionId: null, role: null, users: null, ...k };
}

async function viaSession(ctx: AuthContext, req: FastifyRequest, access: RouteAccess): Promise<Principal> {
  const s = await ctx.sessions.authenticate(sessionCookie(req)!);
  // The session is known from here on: a refusal below is recorded against its user.
  req.principal = principalOf(s, null);
  if (!SAFE_METHODS.has(req.method) && !sameToken(req.headers['x-csrf-token'], s.csrfToken))
    throw new StewardError('csrf_failed');
  const reach = roleReach(access, s.role);
  if (!reach)
    throw new StewardError('forbidden_role', `role ${s.role} may not call ${req.method} ${req.routeOptions.url}`);
  return principalOf(s, await usersWithin(ctx, s, reach));
}

async function usersWithin(ctx: AuthContext, s: AuthenticatedSession, reach: Reach): Promise<string[] | null> {
  if (reach === 'all') return null;
  if (reach === 'team' && ctx.teams) return ctx.teams.usersLedBy(s.workspaceId, s.userId);
  return [s.userId];
}

function principalOf(s: AuthenticatedSession, users: string[] | null): Principal {
  const { sessionId, workspaceId, userId, role } = s;
  return {
    via: 'session',
    keyId: null,
    sessionId,
    workspaceId,
    userId,
    role,
    scopes: [],
    sharedCollector: false,
    service: false,
    users,
  };
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** Who a change is attributed to in AUDIT_LOG: the key, or the signed-in user. */
export function actorOf(p: Principal): { type: 'key' | 'user'; id: string } {
  return p.via === 'key' ? { type: 'key', id: p.keyId! } : { type: 'user', id: p.userId! };
}

// Every refusal lands in AUTH_LOG; failing to record it must not change the answer.
export async function logAuthFailure(
  log: RefusalLog,
  req: FastifyRequest,
  e: StewardError,
  scope: Scope | null,
  ws: string | undefined,
  userId?: string,
): Promise<void> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  await log
    .record({
      code: e.code,
      message: e.message,
      secret: m?.[1],
      keyWorkspace: req.principal?.workspaceId,
      sessionUser: userId ?? (req.principal?.via === 'session' ? req.principal.userId : undefined),
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

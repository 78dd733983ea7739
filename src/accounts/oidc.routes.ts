// GET /auth/oidc/start and /auth/oidc/callback (decisions/0030). Public routes (core/authz.ts): no
// session exists yet. The flow cookie binds the callback to the browser that started it, so a link
// with someone else's code cannot sign a victim in as the attacker.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { StewardError } from '../core/errors.js';
import { logAuthFailure } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { readCookie, setSessionCookie } from '../platform/http/cookies.js';
import * as c from './oidc.contract.js';
import { type GroupsHook, OidcRefused, OidcSignIn, oidcWorkspace } from './oidc.service.js';

const FLOW_COOKIE = 'steward_oidc';
const CALLBACK = '/auth/oidc/callback';

function flowCookie(reply: FastifyReply, value: string, maxAge: number, secure: boolean): void {
  // Path-scoped to the callback; Lax is sent on the provider's top-level redirect back to us.
  const attrs = [`${FLOW_COOKIE}=${value}`, `Path=${CALLBACK}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (secure) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export async function oidcRoutes(fastify: FastifyInstance, ctx: AppContext, onGroups?: GroupsHook) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const cfg = ctx.config.accounts;
  const base = ctx.config.public_url?.replace(/\/+$/, '') ?? '';
  const secure = (req: FastifyRequest) => req.protocol === 'https' || base.startsWith('https:');
  const meta = (req: FastifyRequest) => ({
    ip: req.ip ?? null,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
  });
  const workspaceId = () => oidcWorkspace(db, cfg.oidc?.workspace);
  const sso = cfg.oidc ? new OidcSignIn(db, cfg.oidc, workspaceId, base + CALLBACK, cfg, onGroups) : undefined;
  const configured = () => {
    if (!sso) throw new StewardError('not_configured', 'single sign-on is not configured ([accounts.oidc])');
    return sso;
  };

  app.get('/auth/oidc/start', { schema: c.oidcStartRoute }, async (req, reply) => {
    const { url, flowSecret } = await configured().start();
    flowCookie(reply, flowSecret, 600, secure(req));
    return reply.code(303).header('location', url).send();
  });

  app.get('/auth/oidc/callback', { schema: c.oidcCallbackRoute }, async (req, reply) => {
    const s = configured();
    // openid-client compares the URL's origin and path with the redirect URI sent; behind a proxy the
    // request's own host may differ, so the URL is rebuilt on public_url with the query as received.
    const url = new URL(base + CALLBACK + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''));
    try {
      const done = await s.finish(url, readCookie(req, FLOW_COOKIE), meta(req));
      flowCookie(reply, '', 0, secure(req));
      setSessionCookie(reply, done.secret, cfg.session_absolute_hours * 3600, secure(req));
      return reply.code(303).header('location', `${base}/`).send();
    } catch (e) {
      if (!(e instanceof OidcRefused)) throw e;
      flowCookie(reply, '', 0, secure(req)); // the flow is spent either way
      const ws = await workspaceId().catch(() => undefined);
      await logAuthFailure(ctx.authFailures, req, e.error, null, ws, e.userId);
      throw e.error;
    }
  });
}

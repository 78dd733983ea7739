// /auth/* and the owner's reset-link route. Sign-in and set-password have no session yet, so they
// refuse a cross-origin Origin instead of checking a CSRF token; the others pass requireAccess
// (session cookie and CSRF token, core/authz.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { StewardError } from '../core/errors.js';
import { actorOf, logAuthFailure, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { clearSessionCookie, sessionCookie, setSessionCookie } from '../platform/http/cookies.js';
import { AUTH_ERRORS, INVALID } from '../platform/http/contract.js';
import * as c from './auth.contract.js';
import { createResetLink } from './links.service.js';
import { oidcRoutes } from './oidc.routes.js';
import type { GroupsHook } from './oidc.service.js';
import { csrfTokenOf } from './sessions.service.js';
import {
  sessionEmail,
  setPasswordWithLink,
  signIn,
  SignInRefused,
  signOut,
  signOutEverywhere,
} from './sign-in.service.js';

const meta = (req: FastifyRequest) => ({
  ip: req.ip ?? null,
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
});

/** A page on another origin may post a form here; its Origin header says so (browsers always send it on POST). */
function refuseCrossOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const hostOf = (u: string) => {
    try {
      return new URL(u).host; // normalized: http://h:80 is h
    } catch {
      return null; // "null" (a sandboxed page) and anything unparsable are cross-origin
    }
  };
  const own = hostOf(`${req.protocol}://${req.headers.host ?? ''}`);
  if (own === null || hostOf(origin) !== own)
    throw new StewardError('csrf_failed', `cross-origin request from ${origin} refused`);
}

/** The server's own origin, for the links it hands out (public_url when set). */
function serverOrigin(ctx: AppContext, req?: FastifyRequest): string {
  if (ctx.config.public_url) return ctx.config.public_url;
  if (req) return `${req.protocol}://${req.headers.host}`;
  return `http://${ctx.config.host}:${ctx.config.port}`;
}

export async function accountsRoutes(fastify: FastifyInstance, ctx: AppContext, oidcGroups?: GroupsHook) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const cfg = ctx.config.accounts;
  const preValidation = requireAccess(ctx);
  const secure = (req: FastifyRequest) => req.protocol === 'https' || !!ctx.config.public_url?.startsWith('https:');
  const withSession = <T extends { response: object }>(doc: T) => ({
    preValidation,
    schema: { ...doc, response: { ...doc.response, ...AUTH_ERRORS } },
  });
  // Teams from the groups claim (issue 13 item 4) plug in through app/'s BuildOptions.oidcGroups.
  await oidcRoutes(fastify, ctx, oidcGroups);
  const session = (req: FastifyRequest) => {
    const p = req.principal!;
    return { sessionId: p.sessionId!, userId: p.userId!, workspaceId: p.workspaceId };
  };

  app.post(
    '/auth/sign-in',
    { schema: { ...c.signInRoute, response: { ...c.signInRoute.response, ...INVALID } } },
    async (req, reply) => {
      try {
        refuseCrossOrigin(req);
        const s = await signIn(db, req.body, meta(req), cfg);
        setSessionCookie(reply, s.secret, cfg.session_absolute_hours * 3600, secure(req));
        return {
          object: 'session' as const,
          session_id: s.sessionId,
          user: { id: s.userId, email: s.email, role: s.role },
          workspace_id: s.workspaceId,
          csrf_token: s.csrfToken,
          expires_at: Math.floor(s.expiresAt / 1000),
        };
      } catch (e) {
        // Wrong credentials, a throttled attempt and a cross-origin post are AUTH_LOG failures.
        const why =
          e instanceof SignInRefused ? e : e instanceof StewardError && e.code === 'csrf_failed' ? { error: e } : null;
        if (!why) throw e;
        const { error: err, workspaceId, userId } = why as Partial<SignInRefused> & { error: StewardError };
        await logAuthFailure(ctx.authFailures, req, err, null, workspaceId, userId);
        throw err;
      }
    },
  );

  app.get('/auth/session', withSession(c.sessionRoute), async (req) => {
    const p = req.principal!;
    return {
      object: 'session' as const,
      session_id: p.sessionId!,
      user: { id: p.userId!, email: await sessionEmail(db, p.userId!), role: p.role! },
      workspace_id: p.workspaceId,
      csrf_token: csrfTokenOf(sessionCookie(req)!),
      expires_at: null,
    };
  });

  app.post('/auth/sign-out', withSession(c.signOutRoute), async (req, reply) => {
    await signOut(db, session(req), meta(req));
    clearSessionCookie(reply, secure(req));
    return { object: 'sign_out', signed_out: true };
  });

  app.post('/auth/sign-out-everywhere', withSession(c.signOutEverywhereRoute), async (req, reply) => {
    const ended = await signOutEverywhere(db, session(req), meta(req));
    clearSessionCookie(reply, secure(req));
    return { object: 'sign_out', sessions_ended: ended };
  });

  app.post(
    '/auth/set-password',
    { schema: { ...c.setPasswordRoute, response: { ...c.setPasswordRoute.response, ...INVALID } } },
    async (req) => {
      try {
        refuseCrossOrigin(req);
        const r = await setPasswordWithLink(db, req.body, meta(req));
        return { object: 'password_set', user_id: r.userId, email: r.email, sessions_ended: r.sessionsEnded };
      } catch (e) {
        // A used, expired or guessed token is a failed authentication like a wrong password (folded).
        if (e instanceof StewardError && (e.code === 'invalid_link' || e.code === 'csrf_failed'))
          await logAuthFailure(ctx.authFailures, req, e, null, undefined);
        throw e;
      }
    },
  );

  app.post(
    '/v1/admin/workspaces/:workspace_id/users/:user_id/reset_link',
    {
      preValidation,
      schema: { ...c.resetLinkRoute, response: { ...c.resetLinkRoute.response, ...AUTH_ERRORS, ...INVALID } },
    },
    async (req, reply) => {
      const p = req.principal!;
      const link = await createResetLink(
        db,
        p.workspaceId,
        { id: req.params.user_id },
        { hours: cfg.link_hours, base: serverOrigin(ctx, req) },
        actorOf(p),
      );
      return reply.code(201).send({
        object: 'account_link',
        id: link.linkId,
        user_id: link.userId,
        email: link.email,
        url: link.url,
        expires_at: Math.floor(link.expiresAt / 1000),
      });
    },
  );
}

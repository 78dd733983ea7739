// GET .../usage. The page is serialized with JSON.stringify; its schema documents the rows. The hot
// read of the API: its compiled serializer (fast-json-stringify) was slower on 1,000-row pages
// (12.2 ms against 9.4 ms each, decisions/0016), so it is not used.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { analyticsWindow } from './params.js';
import { usageCursorKeys, usagePage, type UserEmails } from './usage.service.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../platform/http/contract.js';
import { usageRoute } from './usage.contract.js';
import { recordPersonView } from '../compliance/index.js';
import { fromReadStore } from './read-store.js';
import { analyticsPrivacy } from '../access/index.js';

export async function usageRoutes(fastify: FastifyInstance, ctx: AppContext & { emails: UserEmails }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const { page, ...doc } = usageRoute;
  const schema = {
    ...doc,
    security: BEARER,
    response: { 200: responseSchema(page, 'Page of usage rows'), ...AUTH_ERRORS, ...INVALID },
  };
  const opts = {
    preValidation: requireAccess(ctx),
    schema,
    serializerCompiler: () => JSON.stringify,
  };
  app.get('/v1/analytics/codex/workspaces/:workspace_id/usage', opts, async (req, reply) => {
    const limits = { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days };
    const q = analyticsWindow(req.query, Date.now(), limits, usageCursorKeys);
    const p = req.principal!;
    // From the primary: a workspace that just hid emails must not see them again from a lagging replica.
    const privacy = await analyticsPrivacy(ctx.store.db, p.workspaceId, a);
    const team = {
      teamId: req.query.team_id,
      minTeamSize: privacy.minTeamSize,
      seesSmallTeams: p.scopes.includes('admin') || p.role === 'owner',
    };
    // p.users: null, the whole workspace; a member: only themselves (core/authz.ts).
    const page = await fromReadStore(ctx, reply, (read) =>
      usagePage(read, p.workspaceId, q, {
        showEmails: privacy.showEmails,
        emails: ctx.emails,
        team,
        users: p.users,
        userId: req.query.user_id,
      }),
    );
    // Person-level rows: who looked at whom is on the record before the rows leave (decisions/0026).
    if (q.group === 'user' && page.data.length) {
      const users = page.data.map((r) => r.user_id as string);
      const detail = { emails_shown: privacy.showEmails, team_id: req.query.team_id ?? null };
      await ctx.store.db
        .transaction()
        .execute((trx) => recordPersonView(trx, p.workspaceId, actorOf(p), 'analytics.usage', users, detail));
    }
    return page;
  });
}

// GET .../skills (decisions/0032).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { analyticsWindow } from './params.js';
import { skillCursorKeys, skillsPage } from './skills.service.js';
import type { UserEmails } from './usage.service.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../platform/http/contract.js';
import { skillsRoute } from './skills.contract.js';
import { recordPersonView } from '../compliance/index.js';
import { analyticsPrivacy } from '../access/index.js';

export async function skillsRoutes(fastify: FastifyInstance, ctx: AppContext & { emails: UserEmails }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const { page, ...doc } = skillsRoute;
  const schema = {
    ...doc,
    security: BEARER,
    response: { 200: responseSchema(page, 'Page of skill invocation rows'), ...AUTH_ERRORS, ...INVALID },
  };
  app.get(
    '/v1/analytics/codex/workspaces/:workspace_id/skills',
    { preValidation: requireAccess(ctx), schema },
    async (req) => {
      const limits = { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days };
      const q = analyticsWindow(req.query, Date.now(), limits, skillCursorKeys);
      const p = req.principal!;
      const db = ctx.store.db;
      const { showEmails } = await analyticsPrivacy(db, p.workspaceId, a);
      // p.users: null, the whole workspace; a member: only themselves (core/authz.ts).
      const result = await skillsPage(db, p.workspaceId, q, {
        showEmails,
        emails: ctx.emails,
        users: p.users,
      });
      // Person-level rows: who looked at whom is on the record before the rows leave (decisions/0026).
      if (q.group === 'user' && result.data.length) {
        const users = result.data.map((r) => r.user_id as string);
        await db.transaction().execute((trx) =>
          recordPersonView(trx, p.workspaceId, actorOf(p), 'analytics.skills', users, {
            emails_shown: showEmails,
          }),
        );
      }
      return result;
    },
  );
}

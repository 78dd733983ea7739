import type { FastifyInstance } from 'fastify';
import { parseAnalyticsQuery } from './params.js';
import { USAGE_GROUPS, usageCursorKeys, usagePage, type UserEmails } from './usage.service.js';
import { requireScope } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';

export async function usageRoutes(app: FastifyInstance, ctx: AppContext & { emails: UserEmails }) {
  const a = ctx.config.analytics;
  app.get('/v1/analytics/codex/workspaces/:workspace_id/usage', { preHandler: requireScope(ctx, 'codex.enterprise.analytics.read') }, async (req) => {
    const q = parseAnalyticsQuery(
      req.query as Record<string, unknown>,
      Date.now(),
      { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days, maxLimit: 30000, defaultLimit: 1000, groups: USAGE_GROUPS, defaultGroup: 'user' },
      usageCursorKeys,
    );
    return usagePage(ctx.store.db, req.principal!.workspaceId, q, { showEmails: a.show_emails, emails: ctx.emails });
  });
}

// GET .../code_reviews and .../code_review_responses: the usage endpoint's parameters and paging.
import type { FastifyInstance } from 'fastify';
import { CODE_REVIEW_GROUPS, codeReviewCursorKeys, codeReviewResponsesPage, codeReviewsPage } from './code-review.service.js';
import { parseAnalyticsQuery } from './params.js';
import { requireScope } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { codeReviewResponsesPageSchema, codeReviewsPageSchema } from './code-review.contract.js';

export async function codeReviewRoutes(app: FastifyInstance, ctx: AppContext) {
  const a = ctx.config.analytics;
  const preHandler = requireScope(ctx, 'codex.enterprise.analytics.read');
  const query = (raw: unknown) =>
    parseAnalyticsQuery(
      raw as Record<string, unknown>,
      Date.now(),
      { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days, maxLimit: 30000, defaultLimit: 1000, groups: CODE_REVIEW_GROUPS, defaultGroup: 'workspace' },
      codeReviewCursorKeys,
    );
  app.get('/v1/analytics/codex/workspaces/:workspace_id/code_reviews', { preHandler, schema: { response: { 200: codeReviewsPageSchema } } }, async (req) => codeReviewsPage(ctx.store.db, req.principal!.workspaceId, query(req.query)));
  app.get('/v1/analytics/codex/workspaces/:workspace_id/code_review_responses', { preHandler, schema: { response: { 200: codeReviewResponsesPageSchema } } }, async (req) => codeReviewResponsesPage(ctx.store.db, req.principal!.workspaceId, query(req.query)));
}

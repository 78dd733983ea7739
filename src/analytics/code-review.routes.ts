// GET .../code_reviews and .../code_review_responses: the usage endpoint's parameters and paging.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { codeReviewCursorKeys, codeReviewResponsesPage, codeReviewsPage } from './code-review.service.js';
import { analyticsWindow } from './params.js';
import { requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../platform/http/contract.js';
import { codeReviewResponsesRoute, codeReviewsRoute } from './code-review.contract.js';
import type { AnalyticsQueryInput } from './analytics.contract.js';
import { fromReadStore } from './read-store.js';

export async function codeReviewRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const preValidation = requireAccess(ctx);
  const window = (q: AnalyticsQueryInput) =>
    analyticsWindow(
      q,
      Date.now(),
      { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days },
      codeReviewCursorKeys,
    );
  const schema = ({ page, ...doc }: typeof codeReviewsRoute | typeof codeReviewResponsesRoute, what: string) => ({
    ...doc,
    security: BEARER,
    response: { 200: responseSchema(page, `Page of ${what} rows`), ...AUTH_ERRORS, ...INVALID },
  });
  const base = '/v1/analytics/codex/workspaces/:workspace_id';
  app.get(
    `${base}/code_reviews`,
    { preValidation, schema: schema(codeReviewsRoute, 'code review') },
    async (req, reply) =>
      fromReadStore(ctx, reply, (read) => codeReviewsPage(read, req.principal!.workspaceId, window(req.query))),
  );
  const responses = { preValidation, schema: schema(codeReviewResponsesRoute, 'code review response') };
  app.get(`${base}/code_review_responses`, responses, async (req, reply) =>
    fromReadStore(ctx, reply, (read) => codeReviewResponsesPage(read, req.principal!.workspaceId, window(req.query))),
  );
}

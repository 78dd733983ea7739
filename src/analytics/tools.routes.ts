// GET .../tools: the Analytics API's parameters and paging over the tool rollups. Serialized with
// JSON.stringify, as the usage endpoint (its schema documents the rows): the compiled serializer was
// most of the time of a 90-day page (BENCHMARKS.md).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { analyticsWindow } from './params.js';
import { toolCursorKeys, toolsPage } from './tools.service.js';
import { requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../platform/http/contract.js';
import { toolsRoute } from './tools.contract.js';
import { fromReadStore } from './read-store.js';

export async function toolRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const { page, ...doc } = toolsRoute;
  const schema = {
    ...doc,
    security: BEARER,
    response: { 200: responseSchema(page, 'Page of tool call rows'), ...AUTH_ERRORS, ...INVALID },
  };
  app.get(
    '/v1/analytics/codex/workspaces/:workspace_id/tools',
    { preValidation: requireAccess(ctx), schema, serializerCompiler: () => JSON.stringify },
    async (req, reply) => {
      const limits = { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days };
      const q = analyticsWindow(req.query, Date.now(), limits, toolCursorKeys);
      return fromReadStore(ctx, reply, (read) => toolsPage(read, req.principal!.workspaceId, q));
    },
  );
}

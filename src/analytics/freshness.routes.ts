// GET .../freshness (issue 14: the overview's data freshness, newest event and per source).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../platform/http/contract.js';
import { freshnessRoute } from './freshness.contract.js';
import { workspaceFreshness } from './freshness.service.js';
import { fromReadStore } from './read-store.js';

export async function freshnessRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { response, ...doc } = freshnessRoute;
  const schema = {
    ...doc,
    security: BEARER,
    response: { 200: responseSchema(response, 'Newest event per source'), ...AUTH_ERRORS, ...INVALID },
  };
  app.get(
    '/v1/analytics/codex/workspaces/:workspace_id/freshness',
    { preValidation: requireAccess(ctx), schema },
    async (req, reply) =>
      fromReadStore(ctx, reply, (db) => workspaceFreshness(db, req.principal!.workspaceId, Date.now())),
  );
}

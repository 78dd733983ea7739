// POST .../query: the one query model behind the dashboard's panels (decisions/0033). POST, as
// Plausible's stats API v2: a query is a JSON document (lists, pairs), not a handful of parameters.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { recordPersonView } from '../../compliance/index.js';
import { actorOf, requireAccess } from '../../platform/http/auth.js';
import type { AppContext } from '../../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID, responseSchema } from '../../platform/http/contract.js';
import type { UserEmails } from '../usage.service.js';
import { queryRoute } from './query.contract.js';
import { fromReadStore } from '../read-store.js';
import { runAnalyticsQuery } from './query.service.js';
import { analyticsPrivacy } from '../../access/index.js';

export async function queryRoutes(fastify: FastifyInstance, ctx: AppContext & { emails: UserEmails }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const { result, ...doc } = queryRoute;
  const opts = {
    onRequest: requireAccess(ctx), // on headers: no body is parsed for a request without a valid credential
    schema: {
      ...doc,
      security: BEARER,
      response: { 200: responseSchema(result, 'The rows of the query'), ...AUTH_ERRORS, ...INVALID },
    },
    serializerCompiler: () => JSON.stringify,
  };
  app.post('/v1/analytics/codex/workspaces/:workspace_id/query', opts, async (req, reply) => {
    const p = req.principal!;
    const privacy = await analyticsPrivacy(ctx.store.db, p.workspaceId, a);
    // Read from the read store (a replica when configured, decisions/0040); the record is written
    // to the primary.
    const { viewed, ...out } = await fromReadStore(ctx, reply, (read) =>
      runAnalyticsQuery(
        read,
        req.body,
        {
          workspaceId: p.workspaceId,
          reach: p.users,
          seesSmallTeams: p.scopes.includes('admin') || p.role === 'owner',
        },
        {
          now: Date.now(),
          lookbackDays: a.lookback_days,
          minTeamSize: privacy.minTeamSize,
          showEmails: privacy.showEmails,
          emails: ctx.emails,
        },
      ),
    );
    // Person-level rows: who looked at whom is on the record before the rows leave (decisions/0026),
    // once per request; an aggregate (no user dimension or filter) names nobody.
    if (viewed?.length) {
      const detail = { dimensions: out.query.dimensions, emails_shown: privacy.showEmails };
      await ctx.store.db
        .transaction()
        .execute((trx) => recordPersonView(trx, p.workspaceId, actorOf(p), 'analytics.query', viewed, detail));
    }
    return out;
  });
}

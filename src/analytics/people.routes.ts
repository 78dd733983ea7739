// GET .../users/:user_id/threads and GET .../adoption (the dashboard's user and adoption pages).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { validationError } from '../core/errors.js';
import { DAY_MS } from '../core/time.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, errorResponse, INVALID, responseSchema } from '../platform/http/contract.js';
import { recordPersonView } from '../compliance/index.js';
import { adoptionRoute, userThreadsRoute } from './people.contract.js';
import { adoption, userThreadsPage } from './people.service.js';

const A = '/v1/analytics/codex/workspaces/:workspace_id';

export async function peopleRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const a = ctx.config.analytics;
  const preValidation = requireAccess(ctx);

  const { page, ...threadsDoc } = userThreadsRoute;
  const threadsSchema = {
    ...threadsDoc,
    security: BEARER,
    response: {
      200: responseSchema(page, "Page of the user's threads"),
      404: errorResponse('unknown user (or not yours)'),
      ...AUTH_ERRORS,
      ...INVALID,
    },
  };
  app.get(`${A}/users/:user_id/threads`, { preValidation, schema: threadsSchema }, async (req) => {
    const q = req.query;
    const end = q.end_time ?? Date.now();
    const start = q.start_time ?? end - a.default_window_days * DAY_MS;
    if (end <= start) throw validationError('end_time', 'must be after start_time', 'query', 'value_error.range');
    const p = req.principal!;
    const out = await userThreadsPage(db, p.workspaceId, req.params.user_id, p.users, {
      start,
      end,
      limit: q.limit,
      after: q.page,
    });
    if (out.data.length)
      await db
        .transaction()
        .execute((trx) =>
          recordPersonView(trx, p.workspaceId, actorOf(p), 'analytics.user_threads', [req.params.user_id]),
        );
    return out;
  });

  const { response, ...adoptionDoc } = adoptionRoute;
  const adoptionSchema = {
    ...adoptionDoc,
    security: BEARER,
    response: { 200: responseSchema(response, 'The seat view'), ...AUTH_ERRORS, ...INVALID },
  };
  app.get(`${A}/adoption`, { preValidation, schema: adoptionSchema }, async (req) => {
    const p = req.principal!;
    const out = await adoption(db, p.workspaceId, Date.now(), { show: a.show_emails });
    if (out.users.length)
      await db.transaction().execute((trx) =>
        recordPersonView(
          trx,
          p.workspaceId,
          actorOf(p),
          'analytics.adoption',
          out.users.map((u) => u.user_id),
          { emails_shown: a.show_emails },
        ),
      );
    return out;
  });
}

// GET .../users/:user_id/threads, GET .../adoption and .../adoption/seats (the dashboard's user,
// adoption and keys pages).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { validationError } from '../core/errors.js';
import { DAY_MS } from '../core/time.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, errorResponse, INVALID, responseSchema } from '../platform/http/contract.js';
import { recordPersonView } from '../compliance/index.js';
import { analyticsPrivacy } from '../access/index.js';
import { adoptionRoute, adoptionSeatsRoute, SEATS_MAX_LIMIT, userThreadsRoute } from './people.contract.js';
import { adoptionSeats, adoptionSummary, userThreadsPage } from './people.service.js';

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
      now: Date.now(),
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
  // Counts only: it names nobody, so it is no person-level read.
  app.get(`${A}/adoption`, { preValidation, schema: adoptionSchema }, async (req) =>
    adoptionSummary(db, req.principal!.workspaceId, Date.now()),
  );

  const { response: seatsResponse, ...seatsDoc } = adoptionSeatsRoute;
  const seatsSchema = {
    ...seatsDoc,
    security: BEARER,
    response: { 200: responseSchema(seatsResponse, 'A page of seats'), ...AUTH_ERRORS, ...INVALID },
  };
  app.get(`${A}/adoption/seats`, { preValidation, schema: seatsSchema }, async (req) => {
    const p = req.principal!;
    const q = req.query;
    const users = q.user_id?.split(',');
    const { showEmails } = await analyticsPrivacy(db, p.workspaceId, a);
    if (users && users.length > SEATS_MAX_LIMIT)
      throw validationError('user_id', `must name at most ${SEATS_MAX_LIMIT} users`, 'query', 'value_error.list');
    const out = await adoptionSeats(
      db,
      p.workspaceId,
      Date.now(),
      {
        state: q.state!,
        sort: q.sort!,
        desc: q.order === 'desc',
        offset: q.offset,
        limit: q.limit,
        users,
        search: q.search ? { text: q.search, byEmail: showEmails } : undefined,
      },
      { show: showEmails },
    );
    if (out.data.length)
      await db.transaction().execute((trx) =>
        recordPersonView(
          trx,
          p.workspaceId,
          actorOf(p),
          'analytics.adoption',
          out.data.map((u) => u.user_id),
          { emails_shown: showEmails },
        ),
      );
    return out;
  });
}

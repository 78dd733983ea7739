// POST /v1/ingest/code_review_events: code review facts from code hosts other than GitHub.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { ingestCodeReviewEvents } from './code-review-events.service.js';
import { requireScope } from '../../platform/http/auth.js';
import type { AppContext } from '../../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../../platform/http/contract.js';
import { codeReviewEventsRoute } from './code-review-ingest.contract.js';

export async function codeReviewIngestRoutes(app: FastifyInstance, ctx: AppContext) {
  const { response, ...doc } = codeReviewEventsRoute;
  const schema = { ...doc, security: BEARER, response: { ...response, ...AUTH_ERRORS, ...INVALID } };
  app.post(
    '/v1/ingest/code_review_events',
    { preValidation: requireScope(ctx, 'ingest.write'), schema },
    async (req) => {
      if (Buffer.isBuffer(req.body))
        throw new StewardError('unsupported_media_type', 'send the events as application/json');
      const out = await ingestCodeReviewEvents(
        ctx.store.db,
        ctx.config.github,
        req.principal!.workspaceId,
        req.body,
        Date.now(),
      );
      req.log.info({ accepted: out.accepted, rejected: out.rejected.length }, 'code review events ingested');
      return out;
    },
  );
}

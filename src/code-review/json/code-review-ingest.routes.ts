// POST /v1/ingest/code_review_events: code review facts from code hosts other than GitHub. A receiver:
// takes the raw bytes of an uncompressed application/json body and parses them itself.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { ingestCodeReviewEvents } from './code-review-events.service.js';
import { requireAccess } from '../../platform/http/auth.js';
import { admit } from '../../platform/http/admission.js';
import { acceptRawBodies, hasEncoding, jsonFromBytes, mediaType } from '../../platform/http/body.js';
import type { AppContext } from '../../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../../platform/http/contract.js';
import { codeReviewEventsRoute } from './code-review-ingest.contract.js';

// Events name their workspace's people themselves (by login), so any ingest key of the workspace will do.
const ADMISSION = { source: 'code_review', key: 'any', slot: false } as const;

export async function codeReviewIngestRoutes(app: FastifyInstance, ctx: AppContext) {
  const { response, ...doc } = codeReviewEventsRoute;
  const schema = { ...doc, security: BEARER, response: { ...response, ...AUTH_ERRORS, ...INVALID } };
  acceptRawBodies(app);
  app.post('/v1/ingest/code_review_events', { onRequest: requireAccess(ctx), schema }, async (req) => {
    const accept = () => {
      // No body at all is left to the events' validation (a 422 naming what is missing).
      if (req.body === undefined || (mediaType(req) === 'application/json' && !hasEncoding(req))) return;
      throw new StewardError('unsupported_media_type', 'send the events as application/json');
    };
    return admit(ctx, req, { ...ADMISSION, accept }, async ({ principal }) => {
      const body = req.body === undefined ? undefined : jsonFromBytes(req.body as Buffer, {});
      const workspaceId = principal!.workspaceId;
      const out = await ingestCodeReviewEvents(ctx.store.db, ctx.config.github, workspaceId, body, Date.now());
      req.log.info({ accepted: out.accepted, rejected: out.rejected.length }, 'code review events ingested');
      return out;
    });
  });
}

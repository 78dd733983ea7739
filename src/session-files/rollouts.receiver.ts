// POST /v1/ingest/rollouts: new parts of Codex session files (steward push / collect). Takes the raw
// bytes (JSON, gzip or identity), admits the batch, calls the upload use-case, replies with where each
// file now stands.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../core/errors.js';
import { ingestRolloutUpload } from './upload.service.js';
import { requireAccess } from '../platform/http/auth.js';
import { admit } from '../platform/http/admission.js';
import { acceptRawBodies, decodeBody, hasEncoding, jsonFromBytes, mediaType } from '../platform/http/body.js';
import type { IngestContext } from '../ingest/index.js';
import { countIngest } from '../platform/http/metrics.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../platform/http/contract.js';
import { rolloutsRoute } from './rollouts.contract.js';

export const ROLLOUTS_PATH = '/v1/ingest/rollouts';

const ADMISSION = {
  source: 'rollout',
  key: 'user',
  unboundHint: "upload with a user's ingest key (steward keys create --scope ingest.write --user EMAIL)",
  slot: true,
} as const;

export async function rolloutsReceiver(app: FastifyInstance, ctx: IngestContext) {
  const response = { ...AUTH_ERRORS, ...INVALID, ...rolloutsRoute.response };
  const schema = { ...rolloutsRoute, security: BEARER, response };
  acceptRawBodies(app);
  app.post(ROLLOUTS_PATH, { preHandler: requireAccess(ctx), schema }, async (req, reply) => {
    const accept = () => {
      const type = mediaType(req);
      if (type === 'application/json') return;
      const why = 'send the upload as application/json (optionally gzip-encoded)';
      throw new StewardError('unsupported_media_type', `content-type "${type || '(none)'}" is not supported; ${why}`);
    };
    return admit(ctx, req, { ...ADMISSION, accept }, async ({ principal: p }) => {
      const limit = ctx.config.ingest.max_decompressed_bytes;
      const raw = await decodeBody(req.body as Buffer, req.headers['content-encoding'] as string | undefined, limit);
      const body = jsonFromBytes(raw, hasEncoding(req) ? undefined : {});
      const principal = {
        workspaceId: p!.workspaceId,
        userId: p!.userId!,
        keyId: p!.keyId,
        sharedCollector: false,
        service: p!.service,
      };
      const opts = { creditsPerUsd: ctx.config.pricing.credits_per_usd };
      const result = await ingestRolloutUpload(ctx.ingest, principal, body, opts);
      const lines = result.files.reduce((n, f) => n + f.lines, 0);
      const skipped = result.files.reduce((n, f) => n + f.skipped, 0);
      const summary = { machine: result.machine_id, files: result.files.length, lines, skipped, stored: result.stored };
      req.log.info(summary, 'session files ingested');
      countIngest(ctx.metrics, 'rollout', { accepted: lines - skipped, rejected: skipped, stored: result.stored });
      return reply.code(200).send(result);
    });
  });
}

// POST /v1/ingest/rollouts: new parts of Codex session files (steward push / collect). Takes the raw
// bytes (JSON, gzip or identity), admits the batch, calls the upload use-case, replies with where each
// file now stands.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countJsonArrayElements } from '../platform/http/json-count.js';
import { StewardError } from '../core/errors.js';
import { ingestRolloutUpload } from './upload.service.js';
import { admitOnHeaders, runAdmitted } from '../platform/http/admission.js';
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

const tooManyLines = (max: number) =>
  new StewardError(
    'too_many_records',
    `upload has more than ${max} lines (ingest.max_lines_per_request = ${max}); send fewer lines per request`,
  );

export async function rolloutsReceiver(app: FastifyInstance, ctx: IngestContext) {
  const response = { ...AUTH_ERRORS, ...INVALID, ...rolloutsRoute.response };
  const schema = { ...rolloutsRoute, security: BEARER, response };
  acceptRawBodies(app);
  const accept = (req: FastifyRequest) => {
    const type = mediaType(req);
    if (type === 'application/json') return;
    const why = 'send the upload as application/json (optionally gzip-encoded)';
    throw new StewardError('unsupported_media_type', `content-type "${type || '(none)'}" is not supported; ${why}`);
  };
  // Key, content type and a slot are decided on headers, before the body is read.
  const onRequest = admitOnHeaders(ctx, { ...ADMISSION, accept });
  app.post(ROLLOUTS_PATH, { onRequest, schema }, async (req, reply) => {
    return runAdmitted(ctx, req, ADMISSION, async ({ principal: p }) => {
      const limit = ctx.config.ingest.max_decompressed_bytes;
      const raw = await decodeBody(req.body as Buffer, req.headers['content-encoding'] as string | undefined, limit);
      // Lines counted on the bytes, before JSON.parse builds an object for each (decisions/0028).
      const max = ctx.config.ingest.max_lines_per_request;
      if (countJsonArrayElements(raw, 'lines', max) > max) throw tooManyLines(max);
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
      const unknown = result.files.reduce((n, f) => n + (f.unknown ?? 0), 0);
      const summary = { machine: result.machine_id, files: result.files.length, lines, skipped, unknown };
      req.log.info({ ...summary, stored: result.stored }, 'session files ingested');
      // Lines of an unknown type are kept: accepted, and counted apart (decisions/0024).
      const outcome = { accepted: lines - skipped, rejected: skipped, unknown, stored: result.stored };
      countIngest(ctx.metrics, 'rollout', outcome);
      return reply.code(200).send(result);
    });
  });
}

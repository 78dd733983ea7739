// POST /v1/logs: OTLP/HTTP logs. Takes the raw bytes (gzip or identity), admits the batch, decodes and
// replies with the codec of the request's format, and calls the ingest use-case in between.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { ingestOtlpLogs } from './otlp-ingest.service.js';
import { admitOnHeaders, runAdmitted } from '../../platform/http/admission.js';
import { acceptRawBodies, decodeBody, mediaType } from '../../platform/http/body.js';
import type { IngestContext } from '../ingest.runtime.js';
import { countIngest } from '../../platform/http/metrics.js';
import { OTLP_CODECS, type OtlpCodec } from './otlp-formats.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../../platform/http/contract.js';
import { otlpLogsRoute } from './otlp-logs.contract.js';

const ADMISSION = {
  source: 'otlp',
  key: 'user-or-collector',
  unboundHint: "ingest with a user's ingest key (steward keys create --scope ingest.write --user EMAIL)",
  slot: true,
} as const;

function codecOf(req: FastifyRequest): OtlpCodec {
  const type = mediaType(req);
  const codec = OTLP_CODECS[type];
  if (codec) return codec;
  const why = 'OTLP/HTTP logs are application/json or application/x-protobuf';
  throw new StewardError('unsupported_media_type', `content-type "${type || '(none)'}" is not supported; ${why}`);
}

export async function otlpLogsReceiver(app: FastifyInstance, ctx: IngestContext) {
  const response = { ...AUTH_ERRORS, ...INVALID, ...otlpLogsRoute.response };
  const schema = { ...otlpLogsRoute, security: BEARER, response };
  acceptRawBodies(app);
  // Key, content type and a slot are decided on headers, before the body is read.
  const onRequest = admitOnHeaders(ctx, { ...ADMISSION, accept: (req) => codecOf(req) });
  app.post('/v1/logs', { onRequest, schema }, async (req, reply) => {
    return runAdmitted<OtlpCodec, unknown>(ctx, req, ADMISSION, async ({ accepted: codec, principal: p }) => {
      const limit = ctx.config.ingest.max_decompressed_bytes;
      const body = await decodeBody(req.body as Buffer, req.headers['content-encoding'] as string | undefined, limit);
      const decoded = codec.decode(body, ctx.config.ingest.max_records_per_request);
      const { workspaceId, userId, keyId, sharedCollector, service } = p!;
      const principal = { workspaceId, userId: userId ?? '', keyId, sharedCollector, service };
      const result = await ingestOtlpLogs(ctx.ingest, principal, decoded, ctx.config.pricing.credits_per_usd);
      req.log.info({ records: result.records, rejected: result.rejected, stored: result.stored }, 'otlp logs ingested');
      countIngest(ctx.metrics, 'otlp', { ...result, accepted: result.records - result.rejected });
      const { rejected, errorMessage } = result;
      const partial = rejected ? { rejectedLogRecords: rejected, errorMessage } : undefined;
      return reply.code(200).type(codec.contentType).send(codec.encodeResponse(partial));
    });
  });
}

// POST /v1/logs: OTLP/HTTP logs. Decode, authenticate, call the ingest use-case, reply in OTLP terms.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { ingestOtlpLogs } from './otlp-ingest.service.js';
import { requireScope } from '../../platform/http/auth.js';
import { decodeBody } from '../../platform/http/body.js';
import type { IngestContext } from '../ingest.runtime.js';
import { ExportLogsServiceResponse } from './proto.js';

const FORMATS: Record<string, 'json' | 'protobuf'> = { 'application/json': 'json', 'application/x-protobuf': 'protobuf', 'application/protobuf': 'protobuf' };

export async function otlpLogsReceiver(app: FastifyInstance, ctx: IngestContext) {
  app.post('/v1/logs', { preHandler: requireScope(ctx, 'ingest.write') }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) throw new StewardError('unsupported_media_type', `content-type "${type || '(none)'}" is not supported; OTLP/HTTP logs are application/json or application/x-protobuf`);
    const p = req.principal!;
    if (!p.userId && !p.sharedCollector) throw new StewardError('forbidden_scope', 'this key is not bound to a user; ingest with a user\'s ingest key (steward keys create --scope ingest.write --user EMAIL)');
    if (ctx.state.inflightBatches >= ctx.config.ingest.max_concurrent_batches) throw new StewardError('overloaded', 'too many batches in flight; retry later', { retryAfterSeconds: 1 });
    ctx.state.inflightBatches++;
    try {
      const body = await decodeBody(req.body as Buffer, req.headers['content-encoding'] as string | undefined, ctx.config.ingest.max_decompressed_bytes);
      const principal = { workspaceId: p.workspaceId, userId: p.userId ?? '', keyId: p.keyId, sharedCollector: p.sharedCollector };
      const result = await ingestOtlpLogs(ctx.ingest, principal, body, format, ctx.config.pricing.credits_per_usd);
      req.log.info({ records: result.records, rejected: result.rejected, stored: result.stored }, 'otlp logs ingested');
      const m = ctx.metrics;
      m.ingestRecords.inc({ source: 'otlp', outcome: 'accepted' }, result.records - result.rejected);
      if (result.rejected) m.ingestRecords.inc({ source: 'otlp', outcome: 'rejected' }, result.rejected);
      for (const [reason, n] of Object.entries(result.rejectedByReason)) m.ingestRejected.inc({ source: 'otlp', reason }, n);
      for (const kind of ['threads', 'turns', 'requests', 'tools'] as const) m.ingestFacts.inc({ kind, outcome: 'new' }, result.stored[kind]);
      m.ingestFacts.inc({ kind: 'facts', outcome: 'duplicate' }, result.stored.duplicates);
      const response = result.rejected ? { partialSuccess: { rejectedLogRecords: result.rejected, errorMessage: result.errorMessage } } : {};
      if (format === 'json') return reply.code(200).type('application/json').send(response);
      const pb = ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(result.rejected ? { partialSuccess: { rejectedLogRecords: result.rejected, errorMessage: result.errorMessage } } : {})).finish();
      return reply.code(200).type('application/x-protobuf').send(Buffer.from(pb));
    } finally {
      ctx.state.inflightBatches--;
    }
  });
}

// POST /v1/logs: OTLP/HTTP logs (the Codex [otel] exporter). The receiver decodes the raw bytes
// itself (JSON or protobuf, optionally gzip), so the body schema documents and does not validate.
import { z } from 'zod';
import { described, errorResponse, handlerParsed } from '../../platform/http/contract.js';

export const otlpLogsRoute = {
  summary: 'OTLP/HTTP logs receiver (Codex [otel] exporter)',
  description:
    'application/json or application/x-protobuf, optionally gzip. Rejected records are ' +
    'reported in partialSuccess; the rest land. 429 (busy) and 503 (shutting down, storage down) carry Retry-After.',
  consumes: ['application/json', 'application/x-protobuf'],
  body: handlerParsed(
    z
      .object({ resourceLogs: z.array(z.unknown()) })
      .loose()
      .describe('ExportLogsServiceRequest (OTLP).'),
  ),
  response: {
    200: described('ExportLogsServiceResponse'),
    400: errorResponse('Malformed body'),
    413: errorResponse('Body or decompressed body too large'),
    415: errorResponse('Unsupported content type or encoding'),
    429: errorResponse('Busy (ingest.max_concurrent_batches in flight); retry after Retry-After'),
    503: errorResponse('Shutting down or storage unavailable; retry after Retry-After (another node, or later)'),
  },
};

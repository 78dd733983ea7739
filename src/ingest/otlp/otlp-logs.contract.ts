// POST /v1/logs: OTLP/HTTP logs (the Codex [otel] exporter). The receiver decodes the raw bytes
// itself (JSON or protobuf, optionally gzip), so the body schema documents and does not validate.
import { z } from 'zod';
import { described, errorResponse, handlerParsed } from '../../platform/http/contract.js';

export const otlpLogsRoute = {
  summary: 'OTLP/HTTP logs receiver (Codex [otel] exporter)',
  description:
    'application/json or application/x-protobuf, optionally gzip. Rejected records are ' +
    'reported in partialSuccess; the rest land. 503/429 carry Retry-After.',
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
    429: errorResponse('Too many requests; retry after Retry-After'),
    503: errorResponse('Busy or shutting down; retry after Retry-After'),
  },
};

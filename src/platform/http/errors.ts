// Maps every error to one response shape, in one place. 422s carry FastAPI-style `detail[]`
// (what OpenAI's analytics clients parse); everything else an OpenAI-style `error` object.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { isTransientStorageError } from '../storage/errors.js';

function fromFastify(err: FastifyError, bodyLimit: number, req: FastifyRequest): StewardError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StewardError(
        'body_too_large',
        `request body exceeds the ${bodyLimit}-byte limit (ingest.max_body_bytes); send smaller batches`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      // Only receivers take other types (each in its own context); the JSON APIs take JSON.
      const type =
        String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim() || '(none)';
      const why = `content-type "${type}" is not supported; send application/json`;
      return new StewardError('unsupported_media_type', why);
    }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new StewardError('unsupported_media_type', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new StewardError('malformed_body', err.message);
  }
  if (err.validation) return new StewardError('validation', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new StewardError('invalid_request', err.message);
  if (err instanceof SyntaxError) return new StewardError('malformed_body', `body is not valid JSON: ${err.message}`);
  // Nothing was acknowledged: tell exporters to retry (OTLP treats 503 + Retry-After as retryable).
  if (isTransientStorageError(err))
    return new StewardError('storage_unavailable', undefined, { retryAfterSeconds: 2, cause: err });
  return undefined;
}

export function sendError(reply: FastifyReply, e: StewardError): FastifyReply {
  if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
  if (e.code === 'validation') {
    return reply.code(422).send({
      detail: e.detail ?? [{ loc: ['body'], msg: e.message, type: 'value_error' }],
      error: { message: e.message, type: 'invalid_request_error', code: e.code },
    });
  }
  return reply.code(e.status).send({
    error: {
      message: e.message,
      type: e.retryable ? 'retryable_error' : e.status >= 500 ? 'server_error' : 'invalid_request_error',
      code: e.code,
    },
  });
}

export const errorHandler = (bodyLimit: number) => (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
  const known = err instanceof StewardError ? err : fromFastify(err as FastifyError, bodyLimit, req);
  if (known) {
    // A refusal on headers (429 overloaded, 401 …) is counted in the RequestLog summary, not logged here.
    if (known.status >= 500 && !req.refusedOnHeaders) req.log.warn({ err, code: known.code }, known.message);
    return sendError(reply, known);
  }
  req.log.error({ err }, 'unhandled error');
  return sendError(reply, new StewardError('internal'));
};

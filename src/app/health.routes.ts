import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { ping } from '../platform/storage/database.js';
import { StewardError } from '../core/errors.js';

const health = { summary: 'Liveness', response: { 200: { description: 'ok' } } };
const metrics = {
  summary:
    'Prometheus metrics (ingest outcomes by reason, refusals, acknowledgement latency, writer groups, ' +
    'queues, database pool, chain heads, sink lag; docs/grafana/steward.json)',
  response: {
    200: { description: 'text exposition format' },
    401: { description: 'server.metrics_token_sha256 is set and the bearer token does not match it' },
  },
};
const ready = {
  summary: 'Readiness (database reachable, not shutting down)',
  response: {
    200: { description: 'ready' },
    503: { description: 'not ready (shutting down, or the database is unreachable)' },
  },
};

// The token is compared by its hash, in constant time: the config holds no secret.
function bearerMatches(header: string | undefined, sha256hex: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const got = crypto.createHash('sha256').update(m[1]!).digest();
  return crypto.timingSafeEqual(got, Buffer.from(sha256hex, 'hex'));
}

export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/healthz', { schema: health }, async () => ({ status: 'ok' }));
  const token = ctx.config.server.metrics_token_sha256;
  app.get('/metrics', { schema: metrics }, async (req, reply) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token))
      throw new StewardError('unauthenticated', 'GET /metrics needs the bearer token of server.metrics_token_sha256');
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.get('/readyz', { schema: ready }, async (_req, reply) => {
    if (ctx.state.shuttingDown) return reply.code(503).header('retry-after', '1').send({ status: 'shutting_down' });
    try {
      await ping(ctx.store.db);
      return { status: 'ready', database: ctx.store.dialect };
    } catch (e) {
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ status: 'database_unavailable', error: (e as Error).message });
    }
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { ping } from '../platform/storage/database.js';

const health = { summary: 'Liveness', response: { 200: { description: 'ok' } } };
const metrics = {
  summary: 'Prometheus metrics (ingest outcomes by reason, HTTP latency, process)',
  response: { 200: { description: 'text exposition format' } },
};
const ready = {
  summary: 'Readiness (database reachable, not shutting down)',
  response: {
    200: { description: 'ready' },
    503: { description: 'not ready (shutting down, or the database is unreachable)' },
  },
};

export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/healthz', { schema: health }, async () => ({ status: 'ok' }));
  app.get('/metrics', { schema: metrics }, async (_req, reply) =>
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );
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

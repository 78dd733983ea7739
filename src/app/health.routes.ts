import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { ping } from '../platform/storage/database.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) => reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()));
  app.get('/readyz', async (_req, reply) => {
    if (ctx.state.shuttingDown) return reply.code(503).header('retry-after', '1').send({ status: 'shutting_down' });
    try {
      await ping(ctx.store.db);
      return { status: 'ready', database: ctx.store.dialect };
    } catch (e) {
      return reply.code(503).header('retry-after', '1').send({ status: 'database_unavailable', error: (e as Error).message });
    }
  });
}

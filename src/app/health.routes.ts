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
  summary:
    'Readiness: not shutting down and the database reachable. With database_read_url the body also says ' +
    "the replica's state (streaming, lagging beyond database_read_max_lag_seconds, or unreachable: " +
    'analytics reads then go to the primary); the replica never makes the node unready (decisions/0051)',
  response: {
    200: { description: 'ready; replica: {state, reads_from, lag_ms, max_lag_ms, error?, down_since?}' },
    503: { description: 'not ready: shutting_down or database_unavailable (failed: primary)' },
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
    const notReady = (body: Record<string, unknown>) => reply.code(503).header('retry-after', '1').send(body);
    try {
      await ping(ctx.store.db);
    } catch (e) {
      return notReady({ status: 'database_unavailable', failed: 'primary', error: (e as Error).message });
    }
    const replica = ctx.store.replica;
    if (!replica) return { status: 'ready', database: ctx.store.dialect };
    // Reported, never a reason to be unready: ingest does not read the replica, and analytics reads
    // go to the primary while it cannot be reached.
    const { status, lagMs } = await replica.probe();
    const maxMs = ctx.config.database_read_max_lag_seconds * 1000;
    const lagging = status.state === 'up' && maxMs > 0 && lagMs !== null && lagMs > maxMs;
    return {
      status: 'ready',
      database: ctx.store.dialect,
      replica: {
        state: status.state === 'down' ? 'unreachable' : lagging ? 'lagging' : 'streaming',
        reads_from: status.state === 'down' ? 'primary' : 'replica',
        lag_ms: status.state === 'down' ? null : lagMs,
        max_lag_ms: maxMs,
        ...(status.state === 'down' ? { error: status.error, down_since: new Date(status.since).toISOString() } : {}),
      },
    };
  });
}

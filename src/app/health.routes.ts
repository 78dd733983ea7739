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
    'Readiness: not shutting down, the database reachable, and with database_read_url the replica reachable ' +
    'and within database_read_max_lag_seconds of the primary; the body names what failed',
  response: {
    200: { description: 'ready' },
    503: {
      description:
        'not ready: shutting_down, database_unavailable, replica_unavailable or replica_lagging ' +
        '(failed: primary | replica)',
    },
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
    if (ctx.store.read === ctx.store.db) return { status: 'ready', database: ctx.store.dialect };
    try {
      await ping(ctx.store.read);
    } catch (e) {
      return notReady({ status: 'replica_unavailable', failed: 'replica', error: (e as Error).message });
    }
    // null: the replica cannot tell (it never replayed a transaction); not a failure by itself.
    const lag = await ctx.store.readLagMs();
    const maxMs = ctx.config.database_read_max_lag_seconds * 1000;
    const replica = { lag_ms: lag, max_lag_ms: maxMs };
    if (maxMs > 0 && lag !== null && lag > maxMs)
      return notReady({ status: 'replica_lagging', failed: 'replica', replica });
    return { status: 'ready', database: ctx.store.dialect, replica };
  });
}

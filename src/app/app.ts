import type { IncomingMessage } from 'node:http';
// The app factory: builds the Fastify instance with every route; it never listens by itself.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Store } from '../platform/storage/database.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AppContext } from '../platform/http/context.js';
import { errorHandler, sendError } from '../platform/http/errors.js';
import { adminRoutes, joinTeamsOfGroups, usersOfTeamsOf } from '../access/index.js';
import { healthRoutes } from './health.routes.js';
import { otlpLogsReceiver } from '../ingest/index.js';
import { freshnessRoutes, queryRoutes, skillsRoutes, usageRoutes } from '../analytics/index.js';
import { registerOpenapi } from './openapi.routes.js';
import { validatorCompiler } from '../platform/http/contract.js';
import { complianceLogsRoutes } from '../compliance/index.js';
import { complianceAdminRoutes } from '../compliance/index.js';
import { createMetrics } from '../platform/http/metrics.js';
import { shuttingDown } from '../platform/http/admission.js';
import { acceptJsonBodies } from '../platform/http/body.js';
import { RequestLog } from '../platform/http/refusal-log.js';
import { githubWebhookReceiver } from '../code-review/index.js';
import { codeReviewIngestRoutes } from '../code-review/index.js';
import { codeReviewRoutes, exportRoutes, peopleRoutes, toolRoutes } from '../analytics/index.js';
import { rolloutsReceiver } from '../session-files/index.js';
import { KeyAuthenticator } from '../access/index.js';
import { AuthFailureLog, type AuthFoldOptions } from '../access/index.js';
import { accountsRoutes, type GroupsHook, SessionAuthenticator } from '../accounts/index.js';
import type { UserEmails } from '../analytics/index.js';
import type { ContentPolicies } from '../compliance/index.js';
import type { IngestDeps } from '../ingest/index.js';
import { registerSelfMetrics } from './self-metrics.js';
import { watchReplica } from './replica-watch.js';
import { createRuntime, type Runtime } from './runtime.js';
import { defaultWebRoot, webRoutes } from './web.routes.js';

/** The context every route gets, with the concrete access services (tests read their state). */
export interface AppServices extends AppContext {
  auth: KeyAuthenticator;
  authFailures: AuthFailureLog;
  sessions: SessionAuthenticator;
  // What the capabilities' routes need from the runtime (IngestContext and the like).
  ingest: IngestDeps;
  policies: ContentPolicies;
  emails: UserEmails;
  runtime: Runtime;
}

export interface BuildOptions {
  store: Store;
  config: Config;
  logger?: boolean | object;
  /** AUTH_LOG folding bounds (window, folds followed, header cap); the defaults outside tests. */
  authFold?: Partial<AuthFoldOptions>;
  /** The process's runtime (serve makes one and starts its writer thread); else one for this app. */
  runtime?: Runtime;
  /** What the OIDC groups claim does; by default the user joins the existing teams it names. */
  oidcGroups?: GroupsHook;
  /** The built dashboard (dist/web by default); without an index.html its pages answer 404. */
  webRoot?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
}

export async function buildApp(
  opts: BuildOptions,
): Promise<{ app: FastifyInstance; ctx: AppServices; routes: { method: string; url: string }[] }> {
  const server = opts.config.server;
  const requestLog = new RequestLog(server.refusal_log_interval_seconds * 1000);
  const timeout = {
    headersTimeout: server.headers_timeout_seconds * 1000,
    requestTimeout: server.request_timeout_seconds * 1000,
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    // Every log line of a request carries its id (reqId), and the reply returns it (X-Request-Id):
    // a caller's own id when it sends a plausible one (a proxy's, a collector's), else a new one.
    genReqId: requestIdOf,
    logController: requestLog,
    bodyLimit: opts.config.ingest.max_body_bytes,
    return503OnClosing: false,
    // A slow body or slow headers get 408 and the connection closed (Node checks on an interval:
    // a quarter of the shorter timeout, at most a second, so the cut comes close to the limit).
    requestTimeout: timeout.requestTimeout,
    keepAliveTimeout: server.keep_alive_timeout_seconds * 1000,
    maxRequestsPerSocket: server.max_requests_per_socket,
    http: { ...timeout, connectionsCheckingInterval: Math.min(1000, timeout.headersTimeout / 4) },
  });
  app.server.maxConnections = server.max_connections;
  requestLog.start(app.log);
  const runtime = opts.runtime ?? createRuntime(opts.store);
  const ctx: AppServices = {
    store: opts.store,
    config: opts.config,
    state: { shuttingDown: false, inflightBatches: 0, longReads: 0 },
    metrics: createMetrics(app),
    auth: new KeyAuthenticator(opts.store.db, (err) => app.log.error({ err }, "could not record an API key's use")),
    authFailures: new AuthFailureLog(opts.store.db, opts.authFold),
    sessions: new SessionAuthenticator(opts.store.db, opts.config.accounts, (err) =>
      app.log.error({ err }, "could not move a session's idle expiry"),
    ),
    teams: { usersLedBy: (ws, userId) => usersOfTeamsOf(opts.store.db, ws, userId) },
    ingest: runtime.ingest,
    policies: runtime.policies,
    emails: runtime.emails,
    runtime,
  };
  registerSelfMetrics(ctx, app.log);
  const unwatchReplica = watchReplica(ctx, app.log);
  // Every route is listed, so tests can check that each one is documented and access-controlled.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
  });
  // Folded authentication failures wait up to a window to be written as one record (AUTH_LOG).
  app.addHook('onClose', async () => {
    requestLog.stop();
    unwatchReplica();
    await ctx.auth.settle();
    await ctx.sessions.settle();
    await ctx.authFailures.close();
    if (!opts.runtime) await runtime.stop(); // this app's own runtime
  });
  app.setErrorHandler(errorHandler(opts.config.ingest.max_body_bytes));
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new StewardError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`)),
  );

  // JSON APIs get parsed JSON. Each receiver plugin takes raw bytes in its own context (acceptRawBodies):
  // format, decompression and signatures are its business, not this file's.
  acceptJsonBodies(app);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (ctx.state.shuttingDown && req.method !== 'GET') return sendError(reply, shuttingDown());
  });

  // Route schemas are Zod contracts (platform/http/contract.ts); response schemas are JSON Schema
  // made from them, serialized by Fastify's default compiler.
  app.setValidatorCompiler(validatorCompiler);
  await registerOpenapi(app);
  await app.register(async (i) => healthRoutes(i, ctx));
  await app.register(async (i) => otlpLogsReceiver(i, ctx));
  await app.register(async (i) => usageRoutes(i, ctx));
  await app.register(async (i) => queryRoutes(i, ctx));
  await app.register(async (i) => skillsRoutes(i, ctx));
  await app.register(async (i) => freshnessRoutes(i, ctx));
  await app.register(async (i) => adminRoutes(i, ctx));
  await app.register(async (i) => complianceLogsRoutes(i, ctx));
  await app.register(async (i) => complianceAdminRoutes(i, ctx));
  await app.register(async (i) => githubWebhookReceiver(i, ctx));
  await app.register(async (i) => codeReviewIngestRoutes(i, ctx));
  await app.register(async (i) => codeReviewRoutes(i, ctx));
  await app.register(async (i) => peopleRoutes(i, ctx));
  await app.register(async (i) => toolRoutes(i, ctx));
  await app.register(async (i) => exportRoutes(i, ctx));
  await app.register(async (i) => rolloutsReceiver(i, ctx));
  const issuer = opts.config.accounts.oidc?.issuer ?? '';
  const joinTeams: GroupsHook = async (trx, user, groups) => {
    await joinTeamsOfGroups(trx, user.workspaceId, user.id, groups, issuer);
  };
  await app.register(async (i) => accountsRoutes(i, ctx, opts.oidcGroups ?? joinTeams));
  await app.register(async (i) => webRoutes(i, opts.webRoot ?? defaultWebRoot()));
  return { app, ctx, routes };
}

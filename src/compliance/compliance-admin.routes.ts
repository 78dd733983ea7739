// Compliance integrity and governance: verify the chain, signed checkpoints, legal holds,
// retention runs, the content policy and SIEM sink status. Reads need compliance.read; changes
// need compliance.delete (they decide what may be deleted) and are audited by the services.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  checkpointNow,
  configuredSigningKey,
  storedCheckpoints,
  trustedPublicKeys,
  type SigningKey,
} from './verify/checkpoint.service.js';
import { contentPolicyFor, updateContentPolicy, type ContentPolicies } from './policy.service.js';
import { holdViews, placeHold, releaseHold, retentionDaysOf, runRetention } from './retention/retention.service.js';
import { sinkStatus } from './sinks/sinks-status.service.js';
import { verifyChain } from './verify/verify.service.js';
import { withLongRead } from '../platform/http/long-reads.js';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, INVALID } from '../platform/http/contract.js';
import * as c from './compliance-admin.contract.js';

const BASE = '/v1/compliance/workspaces/:workspace_id';

const secured = <T extends { response: object }>(doc: T) => ({
  ...doc,
  security: BEARER,
  response: { ...doc.response, ...AUTH_ERRORS, ...INVALID },
});

export async function complianceAdminRoutes(fastify: FastifyInstance, ctx: AppContext & { policies: ContentPolicies }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  // Who may read and who may manage is core/authz.ts's table; the two names say which routes are which.
  // onRequest: the key or session is checked before a JSON body is read.
  const onRequest = requireAccess(ctx);
  const read = <T extends { response: object }>(doc: T) => ({ onRequest, schema: secured(doc) });
  const manage = read;
  // Looked up on first use and kept: `serve` makes its key file after the routes are built.
  let signing: SigningKey | undefined;
  const key = () => (signing ??= configuredSigningKey(ctx.config));
  const trusted = () => trustedPublicKeys(ctx.config, [], key);

  // Two checkers, not one per core: on PostgreSQL each is a pooled connection the server's ingest
  // also needs (`steward compliance verify` runs in a process, and a pool, of its own).
  app.get(`${BASE}/verify`, read(c.verifyRoute), async (req) => {
    const opts = { store: ctx.store, workers: 2, publicKeys: trusted() };
    return withLongRead(ctx, () => verifyChain(db, req.principal!.workspaceId, opts));
  });
  app.get(`${BASE}/checkpoint`, read(c.checkpointRoute), async (req) =>
    checkpointNow(db, req.principal!.workspaceId, key(), false),
  );
  app.get(`${BASE}/checkpoints`, read(c.checkpointsRoute), async (req) => ({
    object: 'list',
    data: await storedCheckpoints(db, req.principal!.workspaceId),
  }));

  app.get(`${BASE}/holds`, read(c.holdsRoute), async (req) => ({
    object: 'list',
    data: await holdViews(db, req.principal!.workspaceId, req.query.active),
  }));
  app.post(`${BASE}/holds`, manage(c.placeHoldRoute), async (req, reply) => {
    const b = req.body;
    const hold = await placeHold(
      db,
      req.principal!.workspaceId,
      { user: b.user ?? b.user_id, threadId: b.thread_id, from: b.start_time, to: b.end_time, reason: b.reason },
      actorOf(req.principal!),
    );
    return reply.code(201).send(hold);
  });
  app.post(`${BASE}/holds/:hold_id/release`, manage(c.releaseHoldRoute), async (req) =>
    releaseHold(db, req.principal!.workspaceId, req.params.hold_id, actorOf(req.principal!)),
  );

  app.post(`${BASE}/retention/run`, manage(c.retentionRoute), async (req) =>
    runRetention(
      db,
      req.principal!.workspaceId,
      retentionDaysOf(ctx.config.compliance.retention),
      actorOf(req.principal!),
    ),
  );

  app.get(`${BASE}/policy`, read(c.policyRoute), async (req) => ({
    object: 'compliance.policy',
    ...(await contentPolicyFor(db, req.principal!.workspaceId)),
  }));
  app.put(`${BASE}/policy`, manage(c.updatePolicyRoute), async (req) => ({
    object: 'compliance.policy',
    ...(await updateContentPolicy(
      db,
      req.principal!.workspaceId,
      req.body ?? {},
      actorOf(req.principal!),
      ctx.policies,
    )),
  }));

  app.get(`${BASE}/sinks`, read(c.sinksRoute), async (req) => ({
    object: 'list',
    data: await sinkStatus(db, req.principal!.workspaceId, ctx.config.compliance.sinks),
  }));
}

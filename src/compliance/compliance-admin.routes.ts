// Compliance integrity and governance: verify the chain, signed checkpoints, legal holds,
// retention runs, the content policy and SIEM sink status. Reads need compliance.read; changes
// need compliance.delete (they decide what may be deleted) and are audited by the services.
import type { FastifyInstance } from 'fastify';
import { validationError } from '../core/errors.js';
import { parseTime } from '../core/query-params.js';
import { checkpointNow, configuredSigningKey, storedCheckpoints, trustedPublicKeys, type SigningKey } from './verify/checkpoint.service.js';
import { contentPolicyFor, updateContentPolicy, type ContentPolicies } from './policy.service.js';
import { holdViews, placeHold, releaseHold, retentionDaysOf, runRetention } from './retention/retention.service.js';
import { sinkStatus } from './sinks/sinks-status.service.js';
import { verifyChain } from './verify/verify.service.js';
import { withLongRead } from '../platform/http/long-reads.js';
import { requireScope } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';

type Body = Record<string, unknown>;
const BASE = '/v1/compliance/workspaces/:workspace_id';

const optString = (b: Body, k: string): string | undefined => {
  const v = b[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw validationError(k, 'must be a string', 'body', 'type_error.str');
  return v;
};
const optTime = (b: Body, k: string): number | undefined => {
  const v = b[k];
  if (v === undefined || v === null || v === '') return undefined;
  try {
    return parseTime(k, String(v));
  } catch {
    throw validationError(k, 'must be Unix seconds or an ISO 8601 timestamp', 'body', 'value_error.datetime');
  }
};

export async function complianceAdminRoutes(app: FastifyInstance, ctx: AppContext & { policies: ContentPolicies }) {
  const db = ctx.store.db;
  const read = { preHandler: requireScope(ctx, 'codex.enterprise.compliance.read') };
  const manage = { preHandler: requireScope(ctx, 'codex.enterprise.compliance.delete') };
  // Looked up on first use and kept: `serve` makes its key file after the routes are built.
  let signing: SigningKey | undefined;
  const key = () => (signing ??= configuredSigningKey(ctx.config));
  const trusted = () => trustedPublicKeys(ctx.config, [], key);
  const actor = (keyId: string) => ({ type: 'key' as const, id: keyId });

  // Two checkers, not one per core: on PostgreSQL each is a pooled connection the server's ingest
  // also needs (`steward compliance verify` runs in a process, and a pool, of its own).
  app.get(`${BASE}/verify`, read, async (req) => {
    const opts = { store: ctx.store, workers: 2, publicKeys: trusted() };
    return withLongRead(ctx, () => verifyChain(db, req.principal!.workspaceId, opts));
  });
  app.get(`${BASE}/checkpoint`, read, async (req) => checkpointNow(db, req.principal!.workspaceId, key(), false));
  app.get(`${BASE}/checkpoints`, read, async (req) => ({ object: 'list', data: await storedCheckpoints(db, req.principal!.workspaceId) }));

  app.get(`${BASE}/holds`, read, async (req) => ({ object: 'list', data: await holdViews(db, req.principal!.workspaceId, (req.query as Body).active === 'true') }));
  app.post(`${BASE}/holds`, manage, async (req, reply) => {
    const b = (req.body ?? {}) as Body;
    const hold = await placeHold(
      db,
      req.principal!.workspaceId,
      { user: optString(b, 'user') ?? optString(b, 'user_id'), threadId: optString(b, 'thread_id'), from: optTime(b, 'start_time'), to: optTime(b, 'end_time'), reason: optString(b, 'reason') },
      actor(req.principal!.keyId),
    );
    return reply.code(201).send(hold);
  });
  app.post(`${BASE}/holds/:hold_id/release`, manage, async (req) => releaseHold(db, req.principal!.workspaceId, (req.params as { hold_id: string }).hold_id, actor(req.principal!.keyId)));

  app.post(`${BASE}/retention/run`, manage, async (req) => runRetention(db, req.principal!.workspaceId, retentionDaysOf(ctx.config.compliance.retention), actor(req.principal!.keyId)));

  app.get(`${BASE}/policy`, read, async (req) => ({ object: 'compliance.policy', ...(await contentPolicyFor(db, req.principal!.workspaceId)) }));
  app.put(`${BASE}/policy`, manage, async (req) => ({ object: 'compliance.policy', ...(await updateContentPolicy(db, req.principal!.workspaceId, req.body ?? {}, actor(req.principal!.keyId), ctx.policies)) }));

  app.get(`${BASE}/sinks`, read, async (req) => ({ object: 'list', data: await sinkStatus(db, req.principal!.workspaceId, ctx.config.compliance.sinks) }));
}

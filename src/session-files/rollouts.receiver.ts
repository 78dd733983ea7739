// POST /v1/ingest/rollouts: new parts of Codex session files (steward push / collect). Decode,
// authenticate, call the upload use-case, reply with where each file now stands.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../core/errors.js';
import { ingestRolloutUpload } from './upload.service.js';
import { requireScope } from '../platform/http/auth.js';
import { decodeBody } from '../platform/http/body.js';
import type { IngestContext } from '../ingest/index.js';

export const ROLLOUTS_PATH = '/v1/ingest/rollouts';

export async function rolloutsReceiver(app: FastifyInstance, ctx: IngestContext) {
  app.post(ROLLOUTS_PATH, { preHandler: requireScope(ctx, 'ingest.write') }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new StewardError('unsupported_media_type', `content-type "${type || '(none)'}" is not supported; send the upload as application/json (optionally gzip-encoded)`);
    const p = req.principal!;
    if (!p.userId) throw new StewardError('forbidden_scope', "this key is not bound to a user; upload with a user's ingest key (steward keys create --scope ingest.write --user EMAIL)");
    if (ctx.state.inflightBatches >= ctx.config.ingest.max_concurrent_batches) throw new StewardError('overloaded', 'too many batches in flight; retry later', { retryAfterSeconds: 1 });
    ctx.state.inflightBatches++;
    try {
      let body = req.body;
      if (Buffer.isBuffer(body)) {
        const raw = await decodeBody(body, req.headers['content-encoding'] as string | undefined, ctx.config.ingest.max_decompressed_bytes);
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          throw new StewardError('malformed_body', `body is not valid JSON: ${(e as Error).message}`);
        }
      }
      const principal = { workspaceId: p.workspaceId, userId: p.userId, keyId: p.keyId, sharedCollector: false };
      const result = await ingestRolloutUpload(ctx.ingest, principal, body, { creditsPerUsd: ctx.config.pricing.credits_per_usd });
      const lines = result.files.reduce((n, f) => n + f.lines, 0);
      const skipped = result.files.reduce((n, f) => n + f.skipped, 0);
      req.log.info({ machine: result.machine_id, files: result.files.length, lines, skipped, stored: result.stored }, 'session files ingested');
      const m = ctx.metrics;
      m.ingestRecords.inc({ source: 'rollout', outcome: 'accepted' }, lines - skipped);
      if (skipped) m.ingestRecords.inc({ source: 'rollout', outcome: 'rejected' }, skipped);
      for (const kind of ['threads', 'turns', 'requests', 'tools'] as const) m.ingestFacts.inc({ kind, outcome: 'new' }, result.stored[kind]);
      m.ingestFacts.inc({ kind: 'facts', outcome: 'duplicate' }, result.stored.duplicates);
      return reply.code(200).send(result);
    } finally {
      ctx.state.inflightBatches--;
    }
  });
}

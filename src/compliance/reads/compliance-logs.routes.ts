// Compliance Logs Platform (OpenAI-compatible): log files per event type, each one JSONL streamed
// from the chain (gzip when asked), the freshness watermark, and search for investigations.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { auditExport } from './export.service.js';
import { listLogFiles, logFileChunks, maxEventTimeOf, parseEventType, parseLogFileId, parseLogsQuery } from './logs.service.js';
import { parseSearchQuery, runSearch } from './search.service.js';
import { GZIP_BLOCK_BYTES, gzipChunks } from '../../platform/workers/parallel-gzip.js';
import { requireScope } from '../../platform/http/auth.js';
import { claimStreamingRead } from '../../platform/http/long-reads.js';
import type { AppContext } from '../../platform/http/context.js';

type Q = Record<string, unknown>;
const BASE = '/v1/compliance/workspaces/:workspace_id';

export function acceptsGzip(header: unknown): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=([0-9.]+))?\s*(?:,|$)/i.exec(String(header ?? ''));
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}

export async function complianceLogsRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.store.db;
  const read = { preHandler: requireScope(ctx, 'codex.enterprise.compliance.read') };
  const windowMs = ctx.config.compliance.log_file_window_seconds * 1000;

  app.get(`${BASE}/logs`, read, async (req) => listLogFiles(db, req.principal!.workspaceId, parseLogsQuery(req.query as Q), windowMs));

  app.get(`${BASE}/logs/:log_file_id`, read, async (req, reply) => {
    const { log_file_id } = req.params as { log_file_id: string };
    const file = parseLogFileId(log_file_id);
    const ws = req.principal!.workspaceId;
    claimStreamingRead(ctx, reply);
    await auditExport(db, ws, { type: 'key', id: req.principal!.keyId }, { log_file_id, event_type: file.eventType, start_time: new Date(file.from).toISOString(), end_time: new Date(file.to).toISOString(), via: 'api' });
    reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store');
    if (!acceptsGzip(req.headers['accept-encoding'])) return reply.send(Readable.from(logFileChunks(db, ws, log_file_id), { highWaterMark: 1 })); // one chunk in flight: flat memory
    // Level 2 (about as fast as 1 on JSONL, smaller), compressed on every core (parallel-gzip.ts).
    const blocks = gzipChunks(logFileChunks(db, ws, log_file_id, GZIP_BLOCK_BYTES), { level: 2 });
    return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(Readable.from(blocks, { highWaterMark: 1 }));
  });

  app.get(`${BASE}/max_event_time`, read, async (req) => maxEventTimeOf(db, req.principal!.workspaceId, parseEventType((req.query as Q).event_type)));

  app.get(`${BASE}/search`, read, async (req, reply) => reply.type('application/json; charset=utf-8').send(await runSearch(db, req.principal!.workspaceId, parseSearchQuery(req.query as Q))));
}

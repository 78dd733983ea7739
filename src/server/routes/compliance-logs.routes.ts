// Compliance Logs Platform (OpenAI-compatible): log files per event type, each one JSONL streamed
// from the chain (gzip when asked), the freshness watermark, and search for investigations.
import { pipeline } from 'node:stream';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { auditExport } from '../../services/compliance/export.service.js';
import { listLogFiles, logFileChunks, maxEventTimeOf, parseEventType, parseLogFileId, parseLogsQuery } from '../../services/compliance/logs.service.js';
import { parseSearchQuery, runSearch } from '../../services/compliance/search.service.js';
import { requireScope } from '../auth.js';
import type { AppContext } from '../context.js';

type Q = Record<string, unknown>;
const BASE = '/v1/compliance/workspaces/:workspace_id';

export function acceptsGzip(header: unknown): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=([0-9.]+))?\s*(?:,|$)/i.exec(String(header ?? ''));
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}

export async function complianceLogsRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.store.db;
  const read = { preHandler: requireScope(db, 'codex.enterprise.compliance.read') };
  const windowMs = ctx.config.compliance.log_file_window_seconds * 1000;

  app.get(`${BASE}/logs`, read, async (req) => listLogFiles(db, req.principal!.workspaceId, parseLogsQuery(req.query as Q), windowMs));

  app.get(`${BASE}/logs/:log_file_id`, read, async (req, reply) => {
    const { log_file_id } = req.params as { log_file_id: string };
    const file = parseLogFileId(log_file_id);
    const ws = req.principal!.workspaceId;
    await auditExport(db, ws, { type: 'key', id: req.principal!.keyId }, { log_file_id, event_type: file.eventType, start_time: new Date(file.from).toISOString(), end_time: new Date(file.to).toISOString(), via: 'api' });
    const body = Readable.from(logFileChunks(db, ws, log_file_id), { highWaterMark: 1 }); // one chunk in flight: flat memory
    reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store');
    if (!acceptsGzip(req.headers['accept-encoding'])) return reply.send(body);
    // Level 2 (as fast as 1 on JSONL, smaller), 256 KB output chunks (the default 16 KB ones run
    // at ~60%), and room for a whole page of records so reading the next overlaps compressing.
    const gz = zlib.createGzip({ level: 2, chunkSize: 256 * 1024, writableHighWaterMark: 1 << 20 } as zlib.ZlibOptions);
    pipeline(body, gz, (err) => err && req.log.warn({ err }, 'log file download ended early'));
    return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(gz);
  });

  app.get(`${BASE}/max_event_time`, read, async (req) => maxEventTimeOf(db, req.principal!.workspaceId, parseEventType((req.query as Q).event_type)));

  app.get(`${BASE}/search`, read, async (req, reply) => reply.type('application/json; charset=utf-8').send(await runSearch(db, req.principal!.workspaceId, parseSearchQuery(req.query as Q))));
}

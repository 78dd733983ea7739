// Compliance Logs Platform (OpenAI-compatible): log files per event type, each one JSONL streamed
// from the chain (gzip when asked), the freshness watermark, and search for investigations.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditExport } from './export.service.js';
import { listLogFiles, logFileChunks, logsQueryOf, maxEventTimeOf, parseLogFileId } from './logs.service.js';
import { recordPersonSearch, runSearch, searchQueryOf } from './search.service.js';
import { BUSY, logFileRoute, logsRoute, maxEventTimeRoute, searchRoute } from './compliance-logs.contract.js';
import { AUTH_ERRORS, BEARER, INVALID, described, errorResponse } from '../../platform/http/contract.js';
import { GZIP_BLOCK_BYTES, gzipChunks } from '../../platform/workers/parallel-gzip.js';
import { actorOf, requireAccess } from '../../platform/http/auth.js';
import { claimStreamingRead, withLongRead } from '../../platform/http/long-reads.js';
import type { AppContext } from '../../platform/http/context.js';

const BASE = '/v1/compliance/workspaces/:workspace_id';

export function acceptsGzip(header: unknown): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q=([0-9.]+))?\s*(?:,|$)/i.exec(String(header ?? ''));
  return !!m && (m[1] === undefined || Number(m[1]) > 0);
}

const secured = <T extends object>(doc: T, responses: Record<number, unknown>) => ({
  ...doc,
  security: BEARER,
  response: { ...responses, ...AUTH_ERRORS, ...INVALID },
});

export async function complianceLogsRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const db = ctx.store.db;
  const preValidation = requireAccess(ctx);
  const windowMs = ctx.config.compliance.log_file_window_seconds * 1000;

  const logs = secured(logsRoute, {
    200: described('{object: list, data: [{id, event_type, start_time, end_time, url}], has_more, last_end_time}'),
  });
  app.get(`${BASE}/logs`, { preValidation, schema: logs }, async (req) =>
    listLogFiles(db, req.principal!.workspaceId, logsQueryOf(req.query), windowMs),
  );

  const download = secured(logFileRoute, {
    200: described('application/x-ndjson'),
    404: errorResponse('Not a log file id'),
    ...BUSY,
  });
  app.get(`${BASE}/logs/:log_file_id`, { preValidation, schema: download }, async (req, reply) => {
    const { log_file_id } = req.params;
    const file = parseLogFileId(log_file_id);
    const ws = req.principal!.workspaceId;
    claimStreamingRead(ctx, reply);
    // A session's download is the signed-in user's (a session has no key id).
    await auditExport(db, ws, actorOf(req.principal!), {
      log_file_id,
      event_type: file.eventType,
      start_time: new Date(file.from).toISOString(),
      end_time: new Date(file.to).toISOString(),
      via: 'api',
    });
    reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store');
    if (!acceptsGzip(req.headers['accept-encoding']))
      // One chunk in flight: flat memory.
      return reply.send(Readable.from(logFileChunks(db, ws, log_file_id), { highWaterMark: 1 }));
    // Level 2 (about as fast as 1 on JSONL, smaller), compressed on every core (parallel-gzip.ts).
    const blocks = gzipChunks(logFileChunks(db, ws, log_file_id, GZIP_BLOCK_BYTES), { level: 2 });
    return reply
      .header('content-encoding', 'gzip')
      .header('vary', 'accept-encoding')
      .send(Readable.from(blocks, { highWaterMark: 1 }));
  });

  const watermark = secured(maxEventTimeRoute, {
    200: described('{object: compliance.max_event_time, event_type, max_event_time}'),
  });
  app.get(`${BASE}/max_event_time`, { preValidation, schema: watermark }, async (req) =>
    maxEventTimeOf(db, req.principal!.workspaceId, req.query.event_type),
  );

  // The page is a JSON string already (records serialized around their stored content). A search is
  // a long read: bounded per page (decisions/0037), but one may still read thousands of records.
  const search = secured(searchRoute, {
    200: described('{object: list, data: [record], has_more, next_cursor}'),
    ...BUSY,
  });
  app.get(`${BASE}/search`, { preValidation, schema: search }, async (req, reply) => {
    const p = req.principal!;
    const q = searchQueryOf(req.query);
    const page = await withLongRead(ctx, () => runSearch(db, p.workspaceId, q));
    if (q.user !== undefined) await recordPersonSearch(db, p.workspaceId, actorOf(p), q.user);
    return reply.type('application/json; charset=utf-8').send(page);
  });
}

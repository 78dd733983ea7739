// GET .../exports/{usage,users,code_reviews}.{csv,json}: streamed downloads. The rows come from the
// export generators page by page (exports.service.ts); CSV through csv-stringify's stream, JSON
// written around the rows, so nothing but one page is ever in memory.
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf, requireAccess } from '../platform/http/auth.js';
import type { AppContext } from '../platform/http/context.js';
import { AUTH_ERRORS, BEARER, described, INVALID } from '../platform/http/contract.js';
import { recordPersonView } from '../compliance/index.js';
import { analyticsWindow, bucketStartMs, type AnalyticsQuery } from './params.js';
import { exportRoute } from './exports.contract.js';
import {
  codeReviewsExport,
  EXPORT_COLUMNS,
  EXPORTS,
  usageExport,
  usersExport,
  usersExportFilter,
  usersExportPeople,
  type ExportName,
  type ExportRow,
} from './exports.service.js';
import type { UserEmails } from './usage.service.js';
import { fromReadStore } from './read-store.js';
import { analyticsPrivacy } from '../access/index.js';

const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];
// JSON rows are sent in chunks of about this many characters rather than one write per row.
const JSON_CHUNK = 64 * 1024;

async function* jsonList(rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  let out = '{"object":"list","data":[';
  let first = true;
  for await (const r of rows) {
    out += (first ? '' : ',') + JSON.stringify(r);
    first = false;
    if (out.length >= JSON_CHUNK) {
      yield out;
      out = '';
    }
  }
  yield `${out}]}`;
}

// The first page is read before the headers go, so that they say which store answered it. Pages
// read once the download has started cannot change them: a replica lost mid-way is not reported.
async function started<T>(rows: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const it = rows[Symbol.asyncIterator]();
  const first = await it.next();
  return (async function* () {
    for (let n = first; !n.done; n = await it.next()) yield n.value;
  })();
}

function send(
  reply: FastifyReply,
  name: ExportName,
  format: Format,
  q: AnalyticsQuery,
  rows: AsyncIterable<ExportRow>,
) {
  const day = (b: number) => new Date(bucketStartMs(q.grain, b)).toISOString().slice(0, 10);
  const file = `steward-${name}-${q.grain}-${day(q.startBucket)}-to-${day(q.endBucket - 1)}.${format}`;
  reply
    .header('content-disposition', `attachment; filename="${file}"`)
    .header('cache-control', 'no-store')
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  if (format === 'json') return reply.send(Readable.from(jsonList(rows)));
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS[name]] });
  // pipeline: a failed read mid-way ends the reply (the client sees a cut download, not a valid file).
  return reply.send(pipeline(Readable.from(rows), csv, (e) => e && reply.log.warn({ err: e }, 'export failed')));
}

export async function exportRoutes(fastify: FastifyInstance, ctx: AppContext & { emails: UserEmails }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const a = ctx.config.analytics;
  const db = ctx.store.db;
  const limits = { lookbackDays: a.lookback_days, defaultWindowDays: a.default_window_days };
  for (const name of EXPORTS)
    for (const format of FORMATS) {
      const schema = {
        ...exportRoute(name, format),
        security: BEARER,
        response: { 200: described(`The ${name} export (${format}), streamed`), ...AUTH_ERRORS, ...INVALID },
      };
      const path = `/v1/analytics/codex/workspaces/:workspace_id/exports/${name}.${format}`;
      app.get(path, { preValidation: requireAccess(ctx), schema }, async (req, reply) => {
        const window = { ...req.query, group: 'workspace', limit: 1, page: undefined, next_page: undefined };
        const q = analyticsWindow(window, Date.now(), limits, () => []);
        const p = req.principal!;
        // Rows from the read store (a replica when configured, decisions/0040); the record on the primary.
        const rows = await fromReadStore(ctx, reply, async (read) => {
          if (name === 'usage') return started(usageExport(read, p.workspaceId, q));
          if (name === 'code_reviews') return started(codeReviewsExport(read, p.workspaceId, q));
          const filter = await usersExportFilter(read, p.workspaceId, p.users);
          const { showEmails } = await analyticsPrivacy(db, p.workspaceId, a);
          // Who is in it is on the record before the first row leaves (decisions/0026): one record per export.
          const people = await usersExportPeople(read, p.workspaceId, q, filter);
          const detail = { format, group_by: q.grain, emails_shown: showEmails };
          if (people.length)
            await db
              .transaction()
              .execute((trx) =>
                recordPersonView(trx, p.workspaceId, actorOf(p), 'analytics.export.users', people, detail),
              );
          const scope = { users: p.users, showEmails, emails: ctx.emails };
          return started(usersExport(read, p.workspaceId, q, filter, scope));
        });
        return send(reply, name, format, q, rows);
      });
    }
}

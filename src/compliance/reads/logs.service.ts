// OpenAI Compliance Logs Platform semantics over the chain. A log file is the records of one event
// type recorded in [from, to): windows of `windowMs` on recorded_at, the first cut at `after` and
// the last at the watermark (the newest committed record + 1 ms). appendRecords gives every later
// record a recorded_at past the watermark, so a listed file never changes (retention aside) and
// the newest records are listed at once.
import { EVENT_TYPES, isEventType, type ComplianceEventType } from '../../core/compliance.js';
import { StewardError, validationError } from '../../core/errors.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { scanRecords } from '../chain/scan.repository.js';
import { INDEX_MINUTE_MS, listIndexMinutes, maxEventTime, seqBounds } from './logs.repository.js';
import { CHUNK_BYTES, jsonlChunks } from './export.service.js';

export interface LogFile {
  object: 'compliance.log_file';
  id: string;
  event_type: ComplianceEventType;
  start_time: string;
  end_time: string;
  url: string;
}

export interface LogFilePage {
  object: 'list';
  data: LogFile[];
  has_more: boolean;
  last_end_time: string | null;
}

export interface LogsQuery {
  eventType?: ComplianceEventType;
  after: number;
  limit: number;
}

export function parseEventType(raw: unknown, name = 'event_type'): ComplianceEventType | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !isEventType(raw))
    throw validationError(name, `must be one of ${EVENT_TYPES.join(', ')}`, 'query', 'value_error.enum');
  return raw;
}

/** What the contract parsed (compliance-logs.contract.ts), with its defaults. */
export const logsQueryOf = (q: { event_type?: ComplianceEventType; after?: number; limit: number }): LogsQuery => ({
  eventType: q.event_type,
  after: q.after ?? 0,
  limit: q.limit,
});

export const logFileId = (type: string, from: number, to: number) => `lf_${type}_${from}_${to}`;

export function parseLogFileId(id: string): { eventType: ComplianceEventType; from: number; to: number } {
  const m = /^lf_([A-Z_]+)_(\d{1,15})_(\d{1,15})$/.exec(id);
  if (!m || !isEventType(m[1]) || Number(m[2]) >= Number(m[3]))
    throw new StewardError('not_found', `no log file ${id}`);
  return { eventType: m[1], from: Number(m[2]), to: Number(m[3]) };
}

const iso = (ms: number) => new Date(ms).toISOString();

// Windows (by start) holding records of one type at or after `after`, up to `want` of them.
async function windowsOf(
  db: DbOrTrx,
  ws: string,
  type: string,
  after: number,
  watermark: number,
  windowMs: number,
  want: number,
): Promise<number[]> {
  const windows: number[] = [];
  let lastMinute = Math.floor(after / INDEX_MINUTE_MS) - 1;
  for (;;) {
    const rows = await listIndexMinutes(db, ws, type, after, lastMinute, 1000);
    for (const r of rows) {
      const w = Math.floor((r.minute * INDEX_MINUTE_MS) / windowMs) * windowMs;
      if (Math.max(w, after) >= watermark) return windows;
      if (windows[windows.length - 1] !== w) {
        windows.push(w);
        if (windows.length >= want) return windows;
      }
    }
    if (rows.length < 1000) return windows;
    lastMinute = rows[rows.length - 1].minute;
  }
}

export async function listLogFiles(
  db: DbOrTrx,
  workspaceId: string,
  q: LogsQuery,
  windowMs: number,
): Promise<LogFilePage> {
  const head = await getHead(db, workspaceId);
  const echo = q.after > 0 ? iso(q.after) : null;
  if (!head || head.seq === 0) return { object: 'list', data: [], has_more: false, last_end_time: echo };
  const watermark = head.recorded_at + 1;
  const types = q.eventType ? [q.eventType] : EVENT_TYPES;
  const files: (LogFile & { _start: number })[] = [];
  for (const type of types) {
    for (const w of await windowsOf(db, workspaceId, type, q.after, watermark, windowMs, q.limit + 1)) {
      const from = Math.max(w, q.after);
      const to = Math.min(w + windowMs, watermark);
      const id = logFileId(type, from, to);
      files.push({
        object: 'compliance.log_file',
        id,
        event_type: type,
        start_time: iso(from),
        end_time: iso(to),
        url: `/v1/compliance/workspaces/${workspaceId}/logs/${id}`,
        _start: from,
      });
    }
  }
  files.sort((a, b) => a._start - b._start || a.event_type.localeCompare(b.event_type));
  let page = files.slice(0, q.limit);
  let hasMore = files.length > q.limit;
  // Without an event type, never split one window across pages: the next page starts after it.
  if (hasMore && !q.eventType) {
    const lastStart = page[page.length - 1]._start;
    page = files.filter((f) => f._start <= lastStart);
    hasMore = files.length > page.length;
  }
  return {
    object: 'list',
    data: page.map(({ _start, ...f }) => f),
    has_more: hasMore,
    last_end_time: page.length ? page[page.length - 1].end_time : echo,
  };
}

// The file's JSONL, a chunk of lines at a time: the file's seq range (from the log index) read in
// seq windows, so memory stays flat and every query is bounded.
export async function* logFileChunks(
  db: DbOrTrx,
  workspaceId: string,
  fileId: string,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const f = parseLogFileId(fileId);
  const bounds = await seqBounds(db, workspaceId, f.eventType, f.from, f.to);
  // Never past the chain head: a row stored beyond it was never appended (verify reports it).
  const head = (await getHead(db, workspaceId))?.seq ?? 0;
  if (!bounds || bounds.first > head) return;
  yield* jsonlChunks(
    scanRecords(db, workspaceId, bounds.first - 1, Math.min(bounds.last, head), {
      keep: (r) => r.event_type === f.eventType && r.recorded_at >= f.from && r.recorded_at < f.to,
    }),
    undefined,
    chunkBytes,
  );
}

export async function maxEventTimeOf(
  db: DbOrTrx,
  workspaceId: string,
  eventType?: ComplianceEventType,
): Promise<{ object: 'compliance.max_event_time'; event_type: string | null; max_event_time: string | null }> {
  const ms = await maxEventTime(db, workspaceId, eventType);
  return {
    object: 'compliance.max_event_time',
    event_type: eventType ?? null,
    max_event_time: ms === null ? null : iso(ms),
  };
}

// The Compliance Logs Platform routes (OpenAI-compatible): log files, their download, the freshness
// watermark and search. Requests are parsed here; paging and window rules are in the services.
import { z } from 'zod';
import { EVENT_TYPES } from '../../core/compliance.js';
import { described } from '../../platform/http/contract.js';
import {
  cursorQuery,
  enumQuery,
  limitQuery,
  textQuery,
  timeQuery,
  workspaceParams,
} from '../../platform/http/query.contract.js';
import { parsedBy } from '../../platform/http/contract.js';
import { parseEventType } from './logs.service.js';

/** The largest page of log files or search records. */
export const COMPLIANCE_MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export const BUSY = {
  429: described(
    'compliance.max_concurrent_reads downloads, verifications and searches already in flight; ' +
      'retry after Retry-After seconds',
  ),
};
const eventType = enumQuery(
  EVENT_TYPES,
  undefined,
  `must be one of ${EVENT_TYPES.join(', ')}`,
  'Only records of this event type.',
);

export const logsRoute = {
  summary: 'List log files (OpenAI Compliance Logs Platform): JSONL files of one event type per recorded-time window',
  description:
    `Page with after=last_end_time until has_more is false. ` +
    'Files are immutable once listed (retention may later remove content).',
  params: workspaceParams,
  querystring: z.object({
    event_type: eventType,
    after: timeQuery('after', 'Files recorded after this time (the last_end_time of the previous page).'),
    limit: limitQuery(DEFAULT_LIMIT, COMPLIANCE_MAX_LIMIT),
  }),
};

export const logFileRoute = {
  summary: 'Download a log file as JSONL (one record a line), streamed; gzip with Accept-Encoding: gzip',
  description:
    `Each line: id, seq, event_type, workspace_id, timestamp, ts, recorded_at, user_id, thread_id, content, ` +
    'content_sha256, prev_hash, hash. Downloads are audited.',
  params: workspaceParams.extend({ log_file_id: z.string().describe('An id from the list of log files.') }),
};

export const maxEventTimeRoute = {
  summary: 'Newest event time (freshness watermark)',
  params: workspaceParams,
  querystring: z.object({ event_type: eventType }),
};

export const searchRoute = {
  summary: 'Search records for investigations (user, thread, event type, time range, text), cursor-paged',
  params: workspaceParams,
  querystring: z.object({
    user: textQuery('A user id or email.'),
    user_id: textQuery('An alias of user.'),
    thread_id: textQuery('Only records of this thread.'),
    event_type: textQuery('One or more event types, comma-separated.').transform(
      parsedBy((s) => s?.split(',').map((t) => parseEventType(t.trim())!)),
    ),
    start_time: timeQuery('start_time', 'Inclusive.'),
    end_time: timeQuery('end_time', 'Exclusive.'),
    q: textQuery(
      'Text in the record content, as a substring of its JSON, ignoring case (decisions/0037). A page ' +
        'reads a bounded part of the archive: it may hold fewer than limit records, or none, with ' +
        'has_more true; follow next_cursor to go on.',
      500,
    ),
    order: enumQuery(['asc', 'desc'], 'asc', "must be 'asc' or 'desc'"),
    view: enumQuery(
      ['records', 'merged'],
      'records',
      "must be 'records' or 'merged'",
      'records: the chain records as stored. merged: the records of one turn, response, session start or ' +
        'tool call (the first source and the completion the other appended) folded into one compliance.fact ' +
        'with its record_ids.',
    ),
    limit: limitQuery(DEFAULT_LIMIT, COMPLIANCE_MAX_LIMIT),
    after: cursorQuery('The next_cursor of the previous page.'),
  }),
};

export type SearchQueryInput = z.output<typeof searchRoute.querystring>;

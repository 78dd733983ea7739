// Search for investigations: who did what in which thread, when, matching which text. Cursor
// paging on seq (opaque `next_cursor`, passed back as `after`); results in seq order.
import { recordLine } from '../../core/compliance.js';
import { validationError } from '../../core/errors.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { searchRecords, type SearchFilter } from './search.repository.js';
import { findUserByEmail } from '../../platform/tenancy/users.repository.js';
import { encodeCursor, parseTime } from '../../core/query-params.js';
import { parseEventType, parseLimit } from './logs.service.js';

export interface SearchQuery {
  filter: SearchFilter;
  user?: string; // id or email, resolved by runSearch
  limit: number;
}

function decodeSeqCursor(raw: unknown): number {
  try {
    const c = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof c.s === 'number' && Number.isSafeInteger(c.s) && c.s >= 0) return c.s;
  } catch {
    /* reported below */
  }
  throw validationError('after', 'is not a cursor returned as next_cursor by this endpoint', 'query', 'value_error.cursor');
}

const one = (q: Record<string, unknown>, k: string): string | undefined => {
  const v = q[k];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw validationError(k, 'must be given once');
  if (v.includes('\u0000')) throw validationError(k, 'must not contain NUL characters');
  return v;
};

export function parseSearchQuery(q: Record<string, unknown>): SearchQuery {
  const types = one(q, 'event_type')?.split(',').map((t) => parseEventType(t.trim())!);
  const order = one(q, 'order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw validationError('order', "must be 'asc' or 'desc'", 'query', 'value_error.enum');
  const from = parseTime('start_time', q.start_time);
  const to = parseTime('end_time', q.end_time);
  if (from !== undefined && to !== undefined && to <= from) throw validationError('end_time', 'must be after start_time', 'query', 'value_error.range');
  const text = one(q, 'q');
  if (text !== undefined && text.length > 500) throw validationError('q', 'must be at most 500 characters', 'query', 'value_error.any_str.max_length');
  const cursorRaw = one(q, 'after');
  const cursor = cursorRaw === undefined ? undefined : decodeSeqCursor(cursorRaw);
  return {
    user: one(q, 'user') ?? one(q, 'user_id'),
    limit: parseLimit(q.limit, 100, 1000),
    filter: {
      threadId: one(q, 'thread_id'),
      eventTypes: types,
      from,
      to,
      text,
      order,
      ...(cursor === undefined ? {} : order === 'asc' ? { afterSeq: cursor } : { beforeSeq: cursor }),
    },
  };
}

const EMPTY = '{"object":"list","data":[],"has_more":false,"next_cursor":null}';

// The page as a JSON string: records are serialized around their stored content, never re-parsed.
export async function runSearch(db: DbOrTrx, workspaceId: string, q: SearchQuery): Promise<string> {
  const filter = { ...q.filter };
  const userId = q.user === undefined ? undefined : q.user.includes('@') ? (await findUserByEmail(db, workspaceId, q.user))?.id : q.user;
  if (q.user !== undefined && userId === undefined) return EMPTY;
  filter.userId = userId;
  // Only records the chain head covers: a row stored past it was never appended (verify reports it).
  filter.untilSeq = (await getHead(db, workspaceId))?.seq ?? 0;
  const rows = await searchRecords(db, workspaceId, filter, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const hasMore = rows.length > q.limit;
  const next = hasMore ? JSON.stringify(encodeCursor({ s: page[page.length - 1].seq })) : 'null';
  return `{"object":"list","data":[${page.map(recordLine).join(',')}],"has_more":${hasMore},"next_cursor":${next}}`;
}

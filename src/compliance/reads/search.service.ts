// Search for investigations: who did what in which thread, when, matching which text. Cursor
// paging on seq (opaque `next_cursor`, passed back as `after`); results in seq order.
import { recordLine } from '../../core/compliance-record-line.js';
import { validationError } from '../../core/errors.js';
import type { Db, DbOrTrx } from '../../platform/storage/database.js';
import { recordPersonView, type Actor } from '../audit.service.js';
import { getHead } from '../chain/chain.repository.js';
import { SEARCH_BOUNDS, searchPage, type SearchBounds, type SearchFilter } from './search.repository.js';
import { findUserByEmail } from '../../platform/tenancy/users.repository.js';
import { encodeCursor } from '../../core/query-params.js';
import type { SearchQueryInput } from './compliance-logs.contract.js';
import { mergedItems } from './search-merged.service.js';

export interface SearchQuery {
  filter: SearchFilter;
  user?: string; // id or email, resolved by runSearch
  limit: number;
  view?: 'records' | 'merged'; // merged: a fact's records folded into one (search-merged.service.ts)
}

function decodeSeqCursor(raw: unknown): number {
  try {
    const c = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof c.s === 'number' && Number.isSafeInteger(c.s) && c.s >= 0) return c.s;
  } catch {
    /* reported below */
  }
  throw validationError(
    'after',
    'is not a cursor returned as next_cursor by this endpoint',
    'query',
    'value_error.cursor',
  );
}

/** The search the contract parsed (compliance-logs.contract.ts), with the rules across fields. */
export function searchQueryOf(q: SearchQueryInput): SearchQuery {
  const { start_time: from, end_time: to, order } = q;
  if (from !== undefined && to !== undefined && to <= from)
    throw validationError('end_time', 'must be after start_time', 'query', 'value_error.range');
  const cursor = q.after === undefined ? undefined : decodeSeqCursor(q.after);
  return {
    user: q.user ?? q.user_id,
    limit: q.limit,
    view: q.view ?? 'records',
    filter: {
      threadId: q.thread_id,
      eventTypes: q.event_type,
      from,
      to,
      text: q.q,
      order: order ?? 'asc',
      ...(cursor === undefined ? {} : order === 'desc' ? { beforeSeq: cursor } : { afterSeq: cursor }),
    },
  };
}

const EMPTY = '{"object":"list","data":[],"has_more":false,"next_cursor":null}';

// The page as a JSON string: records are serialized around their stored content, never re-parsed.
/**
 * A search for one person's records is a view of person-level data (decisions/0026): one
 * person_data.viewed record naming the viewer and that person, after the read. An email nobody has
 * showed nobody, so it records nothing.
 */
export async function recordPersonSearch(db: Db, workspaceId: string, viewer: Actor, user: string): Promise<void> {
  const id = user.includes('@') ? (await findUserByEmail(db, workspaceId, user))?.id : user;
  if (id === undefined) return;
  await db.transaction().execute((trx) => recordPersonView(trx, workspaceId, viewer, 'compliance.search', [id]));
}

export async function runSearch(
  db: DbOrTrx,
  workspaceId: string,
  q: SearchQuery,
  bounds: SearchBounds = SEARCH_BOUNDS,
): Promise<string> {
  const filter = { ...q.filter };
  const userId =
    q.user === undefined
      ? undefined
      : q.user.includes('@')
        ? (await findUserByEmail(db, workspaceId, q.user))?.id
        : q.user;
  if (q.user !== undefined && userId === undefined) return EMPTY;
  filter.userId = userId;
  // Only records the chain head covers: a row stored past it was never appended (verify reports it).
  filter.untilSeq = (await getHead(db, workspaceId))?.seq ?? 0;
  const { rows, scannedTo } = await searchPage(db, workspaceId, filter, q.limit + 1, bounds);
  const page = rows.slice(0, q.limit);
  // A text search that stopped at its bound has more to read past where it stopped, even when its
  // page is short (or empty): the cursor goes on from there.
  const full = rows.length > q.limit;
  const hasMore = full || scannedTo !== null;
  const at = full ? page[page.length - 1]!.seq : (scannedTo ?? 0);
  const next = hasMore ? JSON.stringify(encodeCursor({ s: at })) : 'null';
  const items = q.view === 'merged' ? await mergedItems(db, workspaceId, page, filter.untilSeq) : page.map(recordLine);
  return `{"object":"list","data":[${items.join(',')}],"has_more":${hasMore},"next_cursor":${next}}`;
}

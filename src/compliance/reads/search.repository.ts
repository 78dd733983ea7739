// Investigations: records filtered by user, thread, event types, event time and text, in seq
// order with a seq cursor. The (workspace, user|thread, seq) and (workspace, type, ts) indexes
// serve the narrow filters; text is a substring of the record's JSON content, ignoring case, found
// through the trigram index up to its watermark and by scanning the records past it, which the
// background indexer has not reached yet (decisions/0037). Every text search reads a bounded
// amount: when the bound is reached before the page is full, the page says where it stopped
// (`scannedTo`).
import { sql } from 'kysely';
import type { ChainRecord } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { selectRecords, toRecord } from '../chain/chain.repository.js';
import { containsIgnoringCase, isSqlite } from '../../platform/storage/dialect.js';
import { contentTimes, pageWithContent, recordsOf } from './search-pruned.repository.js';
import { contentMatches, indexedUpTo, MIN_INDEXED_CHARS } from './search-index.repository.js';

export interface SearchFilter {
  userId?: string;
  threadId?: string;
  eventTypes?: string[];
  from?: number; // event time, inclusive
  to?: number; // exclusive
  text?: string;
  afterSeq?: number;
  beforeSeq?: number;
  untilSeq?: number; // the chain head: nothing past it is served
  order: 'asc' | 'desc';
}

export interface SearchPage {
  rows: ChainRecord[];
  /** Set when the text search stopped at its bound: records past this seq (in `order`) are unread. */
  scannedTo: number | null;
}

export interface SearchBounds {
  /** Text too short for trigrams, and any text in the records past the index's watermark, is looked
   * for record by record, in windows of this many seqs. */
  shortTextWindow: number;
  /** Index candidates a page examines at most (both databases; on SQLite on the server's thread): a common text with
   * a narrow user or type filter would otherwise walk every match. */
  maxCandidates: number;
}

export const SEARCH_BOUNDS: SearchBounds = { shortTextWindow: 20_000, maxCandidates: 20_000 };
const MAX_ROUND = 4096;

export async function searchRecords(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter & { seqs?: readonly number[] },
  limit: number,
): Promise<ChainRecord[]> {
  // PostgreSQL: statements that name the times they reach, not every day partition (0067).
  const pg = !isSqlite(db);
  if (pg && !f.text) return pageWithContent(db, workspaceId, f, limit);
  let q = selectRecords(db, recordsOf(db, workspaceId, f));
  if (f.text) q = q.where(containsIgnoringCase(db, sql`c.content`, f.text));
  if (f.text && pg) {
    const times = await contentTimes(db, workspaceId, f);
    if (times === null) return [];
    q = Array.isArray(times)
      ? q.where('c.ts', 'in', times)
      : q.where('c.ts', '>=', times.lo).where('c.ts', '<=', times.hi);
  }
  const rows = await q.orderBy('r.seq', f.order).limit(limit).execute();
  return rows.map((r) => toRecord(r));
}

/** A page of up to `limit` records (and whether it stopped early), for the search API. */
export async function searchPage(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter,
  limit: number,
  bounds: SearchBounds = SEARCH_BOUNDS,
): Promise<SearchPage> {
  if (!f.text) return { rows: await searchRecords(db, workspaceId, f, limit), scannedTo: null };
  if ([...f.text].length < MIN_INDEXED_CHARS) return shortText(db, workspaceId, f, limit, bounds.shortTextWindow);
  return indexedAndTail(db, workspaceId, f, limit, bounds);
}

// The range splits at the watermark: (after, W] from the index, (W, until] scanned like short text
// (the indexer keeps the tail small; a large one is read a window per page). In order: ascending
// reads the indexed part first, descending the tail.
async function indexedAndTail(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter,
  limit: number,
  bounds: SearchBounds,
): Promise<SearchPage> {
  const w = await indexedUpTo(db, workspaceId);
  const { after, until } = seqRange(f);
  const parts = [
    { indexed: true, after, until: Math.min(until, w) },
    { indexed: false, after: Math.max(after, w), until },
  ];
  if (f.order === 'desc') parts.reverse();
  const rows: ChainRecord[] = [];
  for (const p of parts) {
    if (p.until <= p.after) continue;
    const sub = { ...f, afterSeq: p.after, beforeSeq: p.until + 1, untilSeq: undefined };
    const left = limit - rows.length;
    const page = p.indexed
      ? await indexed(db, workspaceId, sub, left, bounds.maxCandidates)
      : await shortText(db, workspaceId, sub, left, bounds.shortTextWindow);
    rows.push(...page.rows);
    if (rows.length >= limit) return { rows, scannedTo: null };
    if (page.scannedTo !== null) return { rows, scannedTo: page.scannedTo };
  }
  return { rows, scannedTo: null };
}

// (after, until]: the seqs a page may hold, from the cursor and the head.
function seqRange(f: SearchFilter) {
  const until = Math.min(f.untilSeq ?? Number.MAX_SAFE_INTEGER, (f.beforeSeq ?? Number.MAX_SAFE_INTEGER) - 1);
  return { after: f.afterSeq ?? 0, until };
}

async function shortText(db: DbOrTrx, workspaceId: string, f: SearchFilter, limit: number, size: number) {
  const { after, until } = seqRange(f);
  const window =
    f.order === 'asc'
      ? { after, until: Math.min(until, after + size) }
      : { after: Math.max(after, until - size), until };
  const rows = await searchRecords(
    db,
    workspaceId,
    { ...f, afterSeq: window.after, beforeSeq: window.until + 1, untilSeq: undefined },
    limit,
  );
  const rest = f.order === 'asc' ? window.until < until : window.after > after;
  return { rows, scannedTo: rest ? (f.order === 'asc' ? window.until : window.after + 1) : null };
}

async function indexed(db: DbOrTrx, workspaceId: string, f: SearchFilter, limit: number, most: number) {
  let range = seqRange(f);
  const rows: ChainRecord[] = [];
  let round = Math.min(MAX_ROUND, most, Math.max(256, limit * 2));
  for (let examined = 0; ; ) {
    const seqs = await contentMatches(db, workspaceId, f.text!, range, f.order, round, {
      from: f.from,
      to: f.to,
      eventTypes: f.eventTypes,
    });
    if (seqs.length === 0) return { rows, scannedTo: null };
    examined += seqs.length;
    // The candidates' content is checked for the text itself (the index has no positions).
    rows.push(...(await searchRecords(db, workspaceId, { ...f, seqs }, limit - rows.length)));
    if (rows.length >= limit || seqs.length < round) return { rows, scannedTo: null };
    const last = seqs[seqs.length - 1]!;
    range = f.order === 'asc' ? { ...range, after: last } : { ...range, until: last - 1 };
    if (examined >= most) return { rows, scannedTo: last };
    round = Math.min(MAX_ROUND, most - examined, round * 4);
  }
}

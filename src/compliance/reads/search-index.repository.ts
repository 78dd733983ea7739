// The trigram index of record content (migration 0035, decisions/0037), filled by the background
// indexer up to a per-workspace watermark (`indexed_seq`). SQLite keeps it in an FTS5 table keyed
// by (workspace number << 40) + seq, so that a workspace's matches come in seq order from a rowid
// range and a page reads only as far as it needs; PostgreSQL in compliance_search_index, a copy of
// the content under a pg_trgm GIN index that the planner uses for the query's ILIKE, in the same
// partitions as the content (migration 0042, decisions/0059): its rows carry the content's
// event_type and ts.
import { sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { containsIgnoringCase, isSqlite } from '../../platform/storage/dialect.js';
import { indexMatchesByWindows } from './search-pruned.repository.js';

/** Trigrams: text of fewer characters than this matches nothing in the index. */
export const MIN_INDEXED_CHARS = 3;

const SHIFT = 1099511627776n; // 1 << 40: a workspace's rowid range in the SQLite index

/** The seq up to which the workspace's records are in the index (0: none yet). */
export async function indexedUpTo(db: DbOrTrx, workspaceId: string): Promise<number> {
  const r = await sql<{ s: number | string }>`
    select indexed_seq as s from compliance_search_workspaces where workspace_id = ${workspaceId}`.execute(db);
  return Number(r.rows[0]?.s ?? 0);
}

// The index keeps no positions (detail = none: a third of the size, and indexing costs less), so it
// answers "holds every trigram of the text": candidates, which the caller checks against the
// content itself. A long text is found as well by a few dozen of its trigrams as by all of them.
const MAX_TRIGRAMS = 48;
function trigramsOf(text: string): string[] {
  const chars = Array.from(text.toLowerCase());
  const all = new Set<string>();
  for (let i = 0; i + 3 <= chars.length && all.size < MAX_TRIGRAMS; i++) all.add(chars.slice(i, i + 3).join(''));
  return [...all];
}

/**
 * Seqs of the workspace's indexed records whose content holds every trigram of `text` (SQLite: a
 * superset of those holding `text`) or `text` itself (PostgreSQL), ignoring case, in `order`,
 * within (after, until], at most `limit` of them. The caller checks them against the live content.
 */
export async function contentMatches(
  db: DbOrTrx,
  workspaceId: string,
  text: string,
  range: { after: number; until: number },
  order: 'asc' | 'desc',
  limit: number,
  within: { from?: number; to?: number; eventTypes?: readonly string[] } = {},
): Promise<number[]> {
  if (range.until <= range.after) return [];
  const dir = order === 'asc' ? sql`asc` : sql`desc`;
  if (!isSqlite(db)) {
    // The planner chooses between the GIN index (rare text) and the primary key in seq order. The
    // search's own type and time filters (the partition keys, the records' own values) prune the
    // partitions it plans over and probes: a seq range prunes none (decisions/0059). They only leave
    // out candidates the records' filters would drop, so a page holds the same rows; it may examine
    // fewer candidates than SQLite's index (which has no time) before its bound.
    // Without a time filter, in windows of time from the range's first record (search-pruned).
    const dayPartitioned = !within.eventTypes?.length || within.eventTypes.includes('CODEX_LOG');
    if (within.from === undefined && within.to === undefined && dayPartitioned)
      return indexMatchesByWindows(db, workspaceId, text, range, order, limit, within.eventTypes);
    const types = within.eventTypes?.length ? sql`and event_type in (${sql.join([...within.eventTypes])})` : sql``;
    const from = within.from === undefined ? sql`` : sql`and ts >= ${within.from}`;
    const to = within.to === undefined ? sql`` : sql`and ts < ${within.to}`;
    const r = await sql<{ seq: string }>`
      select seq from compliance_search_index
      where workspace_id = ${workspaceId} and seq > ${range.after} and seq <= ${range.until}
        ${types} ${from} ${to}
        and ${containsIgnoringCase(db, sql`content`, text)}
      order by seq ${dir} limit ${limit}`.execute(db);
    return r.rows.map((x) => Number(x.seq));
  }
  const ws = await sql<{ n: number }>`
    select n from compliance_search_workspaces where workspace_id = ${workspaceId}`.execute(db);
  if (!ws.rows[0]) return [];
  const base = BigInt(ws.rows[0].n) * SHIFT;
  const match = trigramsOf(text)
    .map((t) => '"' + t.replace(/"/g, '""') + '"')
    .join(' AND ');
  const r = await sql<{ seq: number }>`
    select rowid - ${base} as seq from compliance_search
    where compliance_search match ${match}
      and rowid > ${base + BigInt(range.after)} and rowid <= ${base + BigInt(range.until)}
    order by rowid ${dir} limit ${limit}`.execute(db);
  return r.rows.map((x) => Number(x.seq));
}

/**
 * Indexes up to `max` of the workspace's records past its watermark and moves the watermark to the
 * last of them; returns how many (0 also when another node holds the workspace's indexing lock).
 * Run in a transaction. On PostgreSQL several nodes may run it at once: besides the lock, rows are
 * upserted by (workspace, seq) and the watermark only moves forward, so a batch stored twice (a
 * lock lost with its connection) is stored once.
 */
export async function indexNextRecords(db: DbOrTrx, workspaceId: string, max: number): Promise<number> {
  if (isSqlite(db)) {
    await sql`insert or ignore into compliance_search_workspaces (workspace_id) values (${workspaceId})`.execute(db);
    const w = await sql<{ n: number; s: number }>`select n, indexed_seq as s from compliance_search_workspaces
      where workspace_id = ${workspaceId}`.execute(db);
    const { n, s } = w.rows[0]!;
    // (FTS5 tables take no RETURNING: the batch's bounds are read first, from the seq index.)
    const b = await sql<{ last: number | null; k: number }>`select max(seq) as last, count(*) as k from (
      select seq from compliance_content where workspace_id = ${workspaceId} and seq > ${s}
      order by seq limit ${max})`.execute(db);
    const { last, k } = b.rows[0]!;
    if (last === null) return 0;
    await sql`insert into compliance_search (rowid, content)
      select ${BigInt(n) * SHIFT} + seq, content from compliance_content
      where workspace_id = ${workspaceId} and seq > ${s} and seq <= ${last}`.execute(db);
    await sql`update compliance_search_workspaces set indexed_seq = ${last} where n = ${n}`.execute(db);
    return Number(k);
  }
  // One node indexes a workspace at a time (the others' batches would wait on its rows, then store
  // nothing); a node that does not get the lock leaves it to the one that has it.
  const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(
    hashtextextended(${'job:compliance.search_index:' + workspaceId}, 0)) as ok`.execute(db);
  if (!lock.rows[0]!.ok) return 0;
  await sql`insert into compliance_search_workspaces (workspace_id) values (${workspaceId})
    on conflict do nothing`.execute(db);
  const s = await indexedUpTo(db, workspaceId);
  const r = await sql<{ last: string | null; n: string }>`
    with batch as (
      select workspace_id, seq, event_type, ts, content from compliance_content
      where workspace_id = ${workspaceId} and seq > ${s} order by seq limit ${max}
    ), stored as (
      insert into compliance_search_index (workspace_id, seq, event_type, ts, content) select * from batch
      on conflict do nothing
    )
    select max(seq) as last, count(*) as n from batch`.execute(db);
  const { last, n } = r.rows[0]!;
  if (last === null) return 0;
  await sql`update compliance_search_workspaces set indexed_seq = greatest(indexed_seq, ${Number(last)})
    where workspace_id = ${workspaceId}`.execute(db);
  return Number(n);
}

/**
 * Removes the records' content from the index (retention), whether or not it was indexed yet. The
 * records are all of `of.eventType` and older than `of.cutoff`: on PostgreSQL the delete then reads
 * only that type's partitions before the cutoff, not every day's.
 */
export async function removeFromIndex(
  db: DbOrTrx,
  workspaceId: string,
  seqs: readonly number[],
  of: { eventType: string; cutoff: number },
): Promise<void> {
  if (!seqs.length) return;
  if (!isSqlite(db)) {
    await sql`delete from compliance_search_index where workspace_id = ${workspaceId}
      and seq in (${sql.join(seqs)}) and event_type = ${of.eventType} and ts < ${of.cutoff}`.execute(db);
    return;
  }
  const ws = await sql<{ n: number }>`
    select n from compliance_search_workspaces where workspace_id = ${workspaceId}`.execute(db);
  if (!ws.rows[0]) return;
  const base = BigInt(ws.rows[0].n) * SHIFT;
  await sql`delete from compliance_search where rowid in (${sql.join(seqs.map((s) => base + BigInt(s)))})`.execute(db);
}

/**
 * PostgreSQL: removes the index's copy of every record in a content partition, row by row
 * (retention's drop, when the index has no twin of the partition to drop with it).
 */
export async function removePartitionFromIndex(db: DbOrTrx, partition: string): Promise<void> {
  await sql`delete from compliance_search_index i using ${sql.id(partition)} c
    where i.workspace_id = c.workspace_id and i.seq = c.seq`.execute(db);
}

/**
 * PostgreSQL: moves the entries inserted since into the GIN indexes proper, from their pending
 * lists (fastupdate), as VACUUM would; returns the pending pages flushed. A search reads a pending
 * list whole, and the planner counts it: with a long one it scans the partition instead of its GIN
 * (rare text 0.9 s instead of 2 ms over 100k records, BENCHMARKS.md "Search index partitions").
 * Autovacuum gets to each partition's list only later, and one partition at a time.
 */
export async function flushIndexPending(db: DbOrTrx): Promise<number> {
  const r = await sql<{ n: string | null }>`select sum(gin_clean_pending_list(relid)) as n
    from pg_partition_tree('compliance_search_index_trgm') where isleaf`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** PostgreSQL: fresh statistics of the index table, for the planner (after a bulk fill). */
export async function analyzeIndex(db: DbOrTrx): Promise<void> {
  await sql`analyze compliance_search_index`.execute(db);
}

// The trigram index of record content (migration 0035, decisions/0037) as SQLite keeps it: an FTS5
// table keyed by (workspace number << 40) + seq, so that a workspace's matches come in seq order
// from a rowid range and a page reads only as far as it needs. PostgreSQL's index (pg_trgm) is
// used by the planner from the query's ILIKE itself and needs nothing here.
import { sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { isSqlite } from '../../platform/storage/dialect.js';

/** Trigrams: text of fewer characters than this matches nothing in the index. */
export const MIN_INDEXED_CHARS = 3;

/** Whether search goes to the FTS table for candidates (SQLite) rather than to the planner. */
export const searchesFtsTable = (db: DbOrTrx): boolean => isSqlite(db);

/**
 * Seqs of the workspace's records whose content holds `text` (ignoring case), in `order`, within
 * (after, until], at most `limit` of them.
 */
export async function contentMatches(
  db: DbOrTrx,
  workspaceId: string,
  text: string,
  range: { after: number; until: number },
  order: 'asc' | 'desc',
  limit: number,
): Promise<number[]> {
  if (range.until <= range.after) return [];
  const ws = await sql<{ n: number }>`
    select n from compliance_search_workspaces where workspace_id = ${workspaceId}`.execute(db);
  if (!ws.rows[0]) return [];
  const base = BigInt(ws.rows[0].n) << 40n;
  // One phrase: the trigram tokenizer matches it as a substring of the content.
  const phrase = '"' + text.replace(/"/g, '""') + '"';
  const dir = order === 'asc' ? sql`asc` : sql`desc`;
  const r = await sql<{ seq: number }>`
    select rowid - ${base} as seq from compliance_search
    where compliance_search match ${phrase}
      and rowid > ${base + BigInt(range.after)} and rowid <= ${base + BigInt(range.until)}
    order by rowid ${dir} limit ${limit}`.execute(db);
  return r.rows.map((x) => Number(x.seq));
}

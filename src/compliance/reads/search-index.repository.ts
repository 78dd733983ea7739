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

// The index keeps no positions (detail = none: a third of the size, and appends cost less), so it
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
 * Seqs of the workspace's records whose content holds every trigram of `text` (ignoring case): a
 * superset of those holding `text`, in `order`, within (after, until], at most `limit` of them.
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
  const match = trigramsOf(text)
    .map((t) => '"' + t.replace(/"/g, '""') + '"')
    .join(' AND ');
  const dir = order === 'asc' ? sql`asc` : sql`desc`;
  const r = await sql<{ seq: number }>`
    select rowid - ${base} as seq from compliance_search
    where compliance_search match ${match}
      and rowid > ${base + BigInt(range.after)} and rowid <= ${base + BigInt(range.until)}
    order by rowid ${dir} limit ${limit}`.execute(db);
  return r.rows.map((x) => Number(x.seq));
}

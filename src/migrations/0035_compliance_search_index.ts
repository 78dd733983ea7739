import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../platform/storage/dialect.js';

// An index for compliance search's `q` (decisions/0037): substring match, as before, over trigrams,
// so that a search reads the records holding the text instead of every record's content. It is
// filled by a background indexer (compliance/reads/search-indexer.service.ts), never in an append's
// transaction: appends are on the ingest acknowledgement path, and indexing a record's ~500
// trigrams costs more than storing it. `compliance_search_workspaces.indexed_seq` is the watermark
// up to which a workspace's records are indexed; a search scans the records past it itself.
// - SQLite: an FTS5 table with the trigram tokenizer and no positions (detail = none: which
//   records hold a trigram, not where; a search checks its candidates' content), contentless (the
//   content stays where it is, once), keyed by (workspace number << 40) + seq: stable across
//   VACUUM (a rowid table's rowids are not) and in seq order within a workspace, so a page is a
//   rowid range of the index.
// - PostgreSQL: a copy of the content in compliance_search_index with a GIN index of pg_trgm,
//   which ILIKE uses. A GIN index on compliance_content itself would be maintained by every
//   append. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (13+): the
//   database's owner may create it. It goes into the schema that already has it, else public, so
//   that several Steward schemas in one database share one and dropping one schema keeps it.
// Nothing is indexed here: the indexer starts every workspace from watermark 0 (the backfill).
// Content is indexed as stored: redacted, hashed or dropped by the content policy, never the original.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return sqlite(db);
  return postgres(db);
}

async function sqlite(db: Kysely<unknown>) {
  for (const s of [
    `create table compliance_search_workspaces (n integer primary key, workspace_id text not null unique,
       indexed_seq integer not null default 0)`,
    `create virtual table compliance_search using fts5(content,
       tokenize = 'trigram', detail = 'none', content = '', contentless_delete = 1)`,
  ])
    await sql.raw(s).execute(db);
}

async function postgres(db: Kysely<unknown>) {
  const schema = async () =>
    (
      await sql<{ s: string }>`select n.nspname as s from pg_extension e
        join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
    ).rows[0]?.s;
  let at = await schema();
  if (at === undefined) {
    // Another migration may create it at the same moment (several schemas, one database).
    await sql`savepoint trgm`.execute(db);
    try {
      await sql`create extension if not exists pg_trgm with schema public`.execute(db);
      await sql`release savepoint trgm`.execute(db);
    } catch {
      await sql`rollback to savepoint trgm`.execute(db);
    }
    at = await schema();
    if (at === undefined) throw new Error('the pg_trgm extension could not be created (CREATE EXTENSION pg_trgm)');
  }
  await sql`create table compliance_search_workspaces (workspace_id text primary key,
    indexed_seq bigint not null default 0)`.execute(db);
  await sql`create table compliance_search_index (workspace_id text not null, seq bigint not null,
    content text not null, primary key (workspace_id, seq))`.execute(db);
  await sql`create index compliance_search_index_trgm on compliance_search_index
    using gin (content ${sql.id(at)}.gin_trgm_ops)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../platform/storage/dialect.js';

// An index for compliance search's `q` (decisions/0037): substring match, as before, over trigrams,
// so that a search reads the records holding the text instead of every record's content.
// - SQLite: an FTS5 table with the trigram tokenizer and no positions (detail = none: which
//   records hold a trigram, not where; a search checks its candidates' content), contentless (the
//   content stays where it is, once), keyed by (workspace number << 40) + seq: stable across
//   VACUUM (a rowid table's rowids are not) and in seq order within a workspace, so a page is a
//   rowid range of the index. Triggers
//   on compliance_content keep it in the append's transaction, and in retention's removals.
// - PostgreSQL: a GIN index of pg_trgm over the content, which ILIKE uses; maintained by the
//   database. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (13+): the
//   database's owner may create it. It goes into the schema that already has it, else public, so
//   that several Steward schemas in one database share one and dropping one schema keeps it.
// Both are built here from the content already stored (the backfill). Content is indexed as stored:
// redacted, hashed or dropped by the content policy before it is appended, never the original.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return sqlite(db);
  return postgres(db);
}

const WS = `(select n from compliance_search_workspaces w where w.workspace_id = new.workspace_id)`;
const OLD_WS = `(select n from compliance_search_workspaces w where w.workspace_id = old.workspace_id)`;

async function sqlite(db: Kysely<unknown>) {
  for (const s of [
    `create table compliance_search_workspaces (n integer primary key, workspace_id text not null unique)`,
    `create virtual table compliance_search using fts5(content,
       tokenize = 'trigram', detail = 'none', content = '', contentless_delete = 1)`,
    `create trigger compliance_search_add after insert on compliance_content begin
       insert or ignore into compliance_search_workspaces (workspace_id) values (new.workspace_id);
       insert into compliance_search (rowid, content) values (${WS} * 1099511627776 + new.seq, new.content);
     end`,
    `create trigger compliance_search_remove after delete on compliance_content begin
       delete from compliance_search where rowid = ${OLD_WS} * 1099511627776 + old.seq;
     end`,
    `create trigger compliance_search_change after update on compliance_content begin
       delete from compliance_search where rowid = ${OLD_WS} * 1099511627776 + old.seq;
       insert or ignore into compliance_search_workspaces (workspace_id) values (new.workspace_id);
       insert into compliance_search (rowid, content) values (${WS} * 1099511627776 + new.seq, new.content);
     end`,
    `insert into compliance_search_workspaces (workspace_id)
       select distinct workspace_id from compliance_content order by workspace_id`,
    `insert into compliance_search (rowid, content)
       select w.n * 1099511627776 + c.seq, c.content
       from compliance_content c join compliance_search_workspaces w on w.workspace_id = c.workspace_id`,
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
  await sql`create index compliance_content_search on compliance_content
    using gin (content ${sql.id(at)}.gin_trgm_ops)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../platform/storage/dialect.js';
import { partitionsOf } from '../platform/storage/partitions.js';

// PostgreSQL: the search index's copy of the content (0035) in the same partitions as the content
// itself (0040, decisions/0045 and 0059), so that retention drops a day of CODEX_LOG's copy with
// the day of content instead of deleting its rows:
//   compliance_search_index                     LIST (event_type)
//     compliance_search_index_codex_log         RANGE (ts): the twin of every range partition of
//       compliance_search_index_codex_log_pYYYYMMDD   compliance_content_codex_log, same bounds and
//       compliance_search_index_codex_log_default     suffix (days, _before), and a default
//     compliance_search_index_codex_security_log, _audit_log, _auth_log   one table each
// The rows carry the partition key (event_type and ts, copied from the content row by the
// indexer), which joins the primary key as PostgreSQL requires; a record's copy always lands in
// the same partition, so the indexer's ON CONFLICT DO NOTHING still stores it once. The GIN index
// is made on the parent after the copy (one build per partition). SQLite (FTS5) is unchanged.
const CONTENT = 'compliance_content_codex_log';
const INDEX = 'compliance_search_index_codex_log';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  const trgm = await sql<{ s: string }>`select n.nspname as s from pg_extension e
    join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db);
  const at = trgm.rows[0]?.s;
  if (at === undefined) throw new Error('the pg_trgm extension is missing (migration 0035 creates it)');

  await sql`alter table compliance_search_index rename to compliance_search_index_0041`.execute(db);
  await sql`alter table compliance_search_index_0041 rename constraint compliance_search_index_pkey
    to compliance_search_index_0041_pkey`.execute(db);
  await sql`alter index compliance_search_index_trgm rename to compliance_search_index_0041_trgm`.execute(db);
  await sql`create table compliance_search_index (workspace_id text not null, seq bigint not null,
    event_type text not null, ts bigint not null, content text not null,
    constraint compliance_search_index_pk primary key (workspace_id, seq, event_type, ts))
    partition by list (event_type)`.execute(db);
  await sql`create table ${sql.id(INDEX)} partition of compliance_search_index
    for values in ('CODEX_LOG') partition by range (ts)`.execute(db);
  await sql`create table ${sql.id(`${INDEX}_default`)} partition of ${sql.id(INDEX)} default`.execute(db);
  for (const t of ['CODEX_SECURITY_LOG', 'AUDIT_LOG', 'AUTH_LOG'])
    await sql`create table ${sql.id(`compliance_search_index_${t.toLowerCase()}`)}
      partition of compliance_search_index for values in (${sql.lit(t)})`.execute(db);
  // The content's ranges as they are now (0040's week, what the job made since, _before if any).
  for (const p of (await partitionsOf(db, CONTENT)).ranges) {
    if (!p.name.startsWith(CONTENT)) continue;
    const bound = (v: number | null, none: string) => (v === null ? sql.raw(none) : sql.lit(v));
    await sql`create table ${sql.id(INDEX + p.name.slice(CONTENT.length))} partition of ${sql.id(INDEX)}
      for values from (${bound(p.from, 'minvalue')}) to (${bound(p.to, 'maxvalue')})`.execute(db);
  }

  // Type and time from the chain rows, which retention never removes (an index row whose content
  // was removed is removed with it, so every row here has its record).
  const before = await sql<{ n: string }>`select count(*) as n from compliance_search_index_0041`.execute(db);
  const moved = await sql`insert into compliance_search_index (workspace_id, seq, event_type, ts, content)
    select i.workspace_id, i.seq, r.event_type, r.ts, i.content from compliance_search_index_0041 i
    join compliance_records r on r.workspace_id = i.workspace_id and r.seq = i.seq`.execute(db);
  if (Number(moved.numAffectedRows) !== Number(before.rows[0].n))
    throw new Error(
      `compliance_search_index has ${before.rows[0].n} rows, of which only ${moved.numAffectedRows} ` +
        'have their chain record',
    );
  await sql`drop table compliance_search_index_0041`.execute(db);
  await sql`create index compliance_search_index_trgm on compliance_search_index
    using gin (content ${sql.id(at)}.gin_trgm_ops)`.execute(db);
  await sql`analyze compliance_search_index`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../platform/storage/dialect.js';
import { dayPartitionName, startOfDay } from '../platform/storage/partitions.js';
import { DAY_MS } from '../core/time.js';

// PostgreSQL: record content in partitions, so that retention drops a day of CODEX_LOG content
// whole instead of deleting its rows (decisions/0045). compliance_content becomes
//   compliance_content                     LIST (event_type)
//     compliance_content_codex_log         RANGE (ts): one partition per UTC day of event time,
//       compliance_content_codex_log_pYYYYMMDD   made ahead by a job (compliance/jobs.service.ts),
//       compliance_content_codex_log_default     rows of no day's partition (late and far-future events),
//       compliance_content_codex_log_before      the content stored before this migration, if any
//     compliance_content_codex_security_log, _audit_log, _auth_log   one table each (row deletes)
// The partition key is in every row (event_type and ts, copied from the chain row at append) and
// in the primary key, as PostgreSQL requires; seq stays unique per workspace through the chain.
// Existing content is copied over with its record's type and time. SQLite is unchanged.
const CODEX_LOG_PARTITIONS = 'compliance_content_codex_log';
const AHEAD_DAYS = 7;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return;
  await sql`alter table compliance_content rename to compliance_content_0039`.execute(db);
  await sql`alter table compliance_content_0039 rename constraint compliance_content_pk
    to compliance_content_0039_pk`.execute(db);
  await sql`create table compliance_content (workspace_id text not null, seq bigint not null,
    event_type text not null, ts bigint not null, content text not null,
    constraint compliance_content_pk primary key (workspace_id, seq, event_type, ts))
    partition by list (event_type)`.execute(db);
  await sql`create table compliance_content_codex_log partition of compliance_content
    for values in ('CODEX_LOG') partition by range (ts)`.execute(db);
  await sql`create table compliance_content_codex_log_default
    partition of compliance_content_codex_log default`.execute(db);
  for (const t of ['CODEX_SECURITY_LOG', 'AUDIT_LOG', 'AUTH_LOG'])
    await sql`create table ${sql.id(`compliance_content_${t.toLowerCase()}`)} partition of compliance_content
      for values in (${sql.lit(t)})`.execute(db);

  // What was stored before today's first partition goes to one partition: retention deletes its
  // rows as before until it lies wholly past the cutoff, then drops the rest with it.
  const today = startOfDay(Date.now());
  const old = await sql<{ n: string }>`select count(*) as n from compliance_content_0039 c
    join compliance_records r on r.workspace_id = c.workspace_id and r.seq = c.seq
    where r.event_type = 'CODEX_LOG' and r.ts < ${today}`.execute(db);
  if (Number(old.rows[0].n) > 0)
    await sql`create table compliance_content_codex_log_before partition of compliance_content_codex_log
      for values from (minvalue) to (${sql.lit(today)})`.execute(db);
  // The week ahead, as the job makes it (nothing else sees the table yet: no need for its ATTACH).
  for (let d = 0; d < AHEAD_DAYS; d++) {
    const from = today + d * DAY_MS;
    await sql`create table ${sql.id(dayPartitionName(CODEX_LOG_PARTITIONS, from))}
      partition of compliance_content_codex_log
      for values from (${sql.lit(from)}) to (${sql.lit(from + DAY_MS)})`.execute(db);
  }

  const before = await sql<{ n: string }>`select count(*) as n from compliance_content_0039`.execute(db);
  const moved = await sql`insert into compliance_content (workspace_id, seq, event_type, ts, content)
    select c.workspace_id, c.seq, r.event_type, r.ts, c.content from compliance_content_0039 c
    join compliance_records r on r.workspace_id = c.workspace_id and r.seq = c.seq`.execute(db);
  // Content without its chain row cannot be placed (and nothing writes such a row): stop rather than lose it.
  if (Number(moved.numAffectedRows) !== Number(before.rows[0].n))
    throw new Error(
      `compliance_content has ${before.rows[0].n} rows, of which only ${moved.numAffectedRows} have their chain record`,
    );
  await sql`drop table compliance_content_0039`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

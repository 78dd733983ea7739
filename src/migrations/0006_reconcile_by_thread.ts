import { sql, type Kysely } from 'kysely';
import { isSqlite } from '../platform/storage/dialect.js';

// fact_reconcile is read by thread only (a batch loads the rows of the threads it reconciles), yet
// it was keyed by (workspace, kind, fact_key) with a second index by thread: each new fact updated
// three B-trees at random places, a quarter of the pages an ingest commit wrote on SQLite
// (bench/ingest-write.bench.ts). Keyed by (workspace, match_thread, kind, fact_key) a thread's rows
// sit together in one B-tree (on SQLite the table itself: WITHOUT ROWID), and the thread index goes.
// A fact's key and thread both come from the event, so a replay still meets its own row.
// The report needed the other lookup (a stored turn's thread kind): the turn now carries the thread
// it was matched within, filled here for the turns stored before.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('turns').addColumn('match_thread', 'text').execute();
  await sql`update turns set match_thread = coalesce((select r.match_thread from fact_reconcile r
    where r.workspace_id = turns.workspace_id and r.kind = 'turn' and r.fact_key = turns.turn_key),
    turns.thread_id)`.execute(db);

  if (!isSqlite(db)) {
    await sql`alter table fact_reconcile drop constraint fact_reconcile_pk`.execute(db);
    await sql`alter table fact_reconcile add constraint fact_reconcile_pk
      primary key (workspace_id, match_thread, kind, fact_key)`.execute(db);
    await db.schema.dropIndex('fact_reconcile_thread').execute();
    return;
  }
  await sql`create table fact_reconcile_new (
    workspace_id text not null, kind text not null, fact_key text not null, source text not null,
    match_thread text not null, ts bigint not null, sig text not null, ext_id text, stored_key text not null,
    matched_key text, constraint fact_reconcile_pk primary key (workspace_id, match_thread, kind, fact_key))
    without rowid`.execute(db);
  await sql`insert into fact_reconcile_new
    (workspace_id, kind, fact_key, source, match_thread, ts, sig, ext_id, stored_key, matched_key)
    select workspace_id, kind, fact_key, source, match_thread, ts, sig, ext_id, stored_key, matched_key
    from fact_reconcile`.execute(db);
  await db.schema.dropTable('fact_reconcile').execute();
  await sql`alter table fact_reconcile_new rename to fact_reconcile`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

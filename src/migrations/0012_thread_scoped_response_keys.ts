import { sql, type Kysely } from 'kysely';

// Response keys scoped to their thread (decision 0020): `resp:<id>` becomes `resp:<thread>:<id>`, the
// thread being the one the response was matched within (fact_reconcile.match_thread: a session file's
// own thread), else the fact's thread. Set-based, on both dialects. After it a re-read of an imported
// file finds its keys and stores nothing new. An old id key has no ':' after `resp:`; fallback keys
// (no id) already name their thread and are left as they are. Records in the chain keep the key they
// were written with (the chain is immutable); nothing joins records to facts by key.
const OLD = (col: string) => sql.raw(`${col} like 'resp:%' and ${col} not like 'resp:%:%'`);
const SCOPED = (col: string, thread: string) => sql.raw(`'resp:' || ${thread} || ':' || substr(${col}, 6)`);

export async function up(db: Kysely<unknown>): Promise<void> {
  // model_requests first: it finds its thread through fact_reconcile's old keys.
  await sql`
    update model_requests set request_key = ${SCOPED(
      'request_key',
      `coalesce((select fr.match_thread from fact_reconcile fr
        where fr.workspace_id = model_requests.workspace_id and fr.kind = 'response'
          and fr.fact_key = model_requests.request_key
        order by fr.ts, fr.match_thread limit 1), model_requests.thread_id)`,
    )}
    where ${OLD('request_key')}`.execute(db);
  // Matching happens within one thread, so every key of a row names that row's match_thread.
  for (const col of ['fact_key', 'stored_key', 'matched_key'])
    await sql`
      update fact_reconcile set ${sql.raw(col)} = ${SCOPED(col, 'match_thread')}
      where kind = 'response' and ${OLD(col)}`.execute(db);
}

export async function down(): Promise<void> {
  // Not reversible: two threads may now hold the same response id.
}

import { sql, type Kysely } from 'kysely';

// Title-generation threads first seen by their OTLP conversation_starts were stored as kind 'user'
// (the start names no kind; only the title prompt that follows shows what the thread is), so
// `steward report --full` counted them as user threads. Ingest now marks them when the title turn is
// stored; this repairs rows stored before. An OTLP-first thread with turns of which none was
// counted (no thread_week_set row) can only hold title prompts: OTLP names no sub-agents, and
// every user turn is counted in its week's thread set.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update threads set thread_kind = 'title'
    where thread_kind = 'user' and source = 'otlp'
      and exists (select 1 from turns t
        where t.workspace_id = threads.workspace_id and t.thread_id = threads.thread_id)
      and not exists (select 1 from thread_week_set s
        where s.workspace_id = threads.workspace_id and s.thread_id = threads.thread_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import { type Kysely, sql } from 'kysely';

// How fresh each source's data is, per workspace (issue 14, decisions/0061): the newest event time
// among the facts a source has stored, and when it last stored one. One row per (workspace, source),
// widened by every write that stores something new (ingest: otlp, rollout, api; Code Review:
// code_review), so the dashboard reads a handful of rows instead of the newest fact of each source.
// Filled here from the facts already stored; stored_at stays null where it is not known (stores made
// before this migration did not record when a fact arrived).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('source_freshness')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('newest_event_at', 'bigint', (c) => c.notNull())
    .addColumn('stored_at', 'bigint')
    .addPrimaryKeyConstraint('source_freshness_pk', ['workspace_id', 'source'])
    .execute();
  // Every fact table that names its source; tool events stored before migration 0022 have none.
  await sql`
    insert into source_freshness (workspace_id, source, newest_event_at, stored_at)
    select workspace_id, source, max(ts), null from (
      select workspace_id, source, ts from turns
      union all select workspace_id, source, ts from model_requests
      union all select workspace_id, source, ts from tool_events where source is not null
      union all select workspace_id, source, first_seen_at as ts from threads
      union all select workspace_id, source, ts from codex_events
    ) f group by workspace_id, source`.execute(db);
  await sql`
    insert into source_freshness (workspace_id, source, newest_event_at, stored_at)
    select workspace_id, 'code_review', max(ts), null from (
      select workspace_id, created_at as ts from cr_reviews
      union all select workspace_id, created_at as ts from cr_comments
      union all select workspace_id, created_at as ts from cr_replies
    ) f group by workspace_id`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

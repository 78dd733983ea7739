import type { Kysely } from 'kysely';

// Codex events that are not turns, responses or tool calls (decisions/0024): skill invocations (what
// the usage analytics count), guardian assessments, risk scores, and event names or line types
// Steward has no meaning for yet. One row per natural key, so a replay stores (and archives) nothing.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('codex_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('turn_id', 'text')
    .addColumn('skill_name', 'text')
    .addColumn('skill_scope', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('codex_events_pk', ['workspace_id', 'event_key'])
    .execute();
  // The analytics read: a workspace's skill invocations in a time range.
  await db.schema
    .createIndex('codex_events_ws_category_ts')
    .on('codex_events')
    .columns(['workspace_id', 'category', 'ts'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('codex_events').execute();
}

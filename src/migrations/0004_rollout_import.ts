import type { Kysely } from 'kysely';

// Session files (issue 3): per-file read checkpoints, the content the files hold, the machines that
// upload them, and the cross-source (OTLP <-> session file) matching index for turns and responses.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollout_files')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text')
    .addColumn('ino', 'bigint')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime_ms', 'bigint', (c) => c.notNull())
    .addColumn('read_offset', 'bigint', (c) => c.notNull())
    .addColumn('read_lines', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text')
    .addColumn('tail_hash', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('skipped', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('finalized', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_files_pk', ['workspace_id', 'origin', 'path'])
    .execute();

  await db.schema
    .createTable('rollout_content')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('line_key', 'text', (c) => c.notNull())
    .addColumn('attributed_thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('turn_id', 'text')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('line_no', 'bigint', (c) => c.notNull())
    .addColumn('byte_offset', 'bigint', (c) => c.notNull())
    .addColumn('ordinal', 'bigint')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_content_pk', ['workspace_id', 'thread_id', 'line_key'])
    .execute();
  // Export by time window and by user (compliance investigations).
  await db.schema.createIndex('rollout_content_ws_ts').on('rollout_content').columns(['workspace_id', 'ts']).execute();

  await db.schema
    .createTable('rollout_machines')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('machine_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('host_name', 'text')
    .addColumn('installation_id', 'text')
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_machines_pk', ['workspace_id', 'machine_id'])
    .execute();

  await db.schema
    .createTable('fact_reconcile')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('fact_key', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('match_thread', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('sig', 'text', (c) => c.notNull())
    .addColumn('ext_id', 'text')
    .addColumn('stored_key', 'text', (c) => c.notNull())
    .addColumn('matched_key', 'text')
    .addPrimaryKeyConstraint('fact_reconcile_pk', ['workspace_id', 'kind', 'fact_key'])
    .execute();
  await db.schema
    .createIndex('fact_reconcile_thread')
    .on('fact_reconcile')
    .columns(['workspace_id', 'match_thread', 'kind'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import { sql, type Kysely } from 'kysely';
import { auditDraft } from '../core/compliance-records.js';
import type { Db } from '../platform/storage/database.js';
import { clusteredByPrimaryKey, isSqlite } from '../platform/storage/dialect.js';
import { appendRecords } from '../compliance/index.js';

// Compliance: the per-workspace hash chain (records + separable content + head), a per-minute
// index of where each event type's records are, legal holds, retention runs, signed checkpoints,
// once-only finding keys, and SIEM sink cursors. The plain audit_events table of 0001 is folded
// into the chain as AUDIT_LOG records (same order) and dropped.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compliance_records')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_records_pk', ['workspace_id', 'seq'])
    .execute();
  // Log files (type + recorded_at window), retention (type + event time), investigations (user, thread).
  await db.schema
    .createIndex('compliance_records_type_recorded')
    .on('compliance_records')
    .columns(['workspace_id', 'event_type', 'recorded_at', 'seq'])
    .execute();
  await db.schema
    .createIndex('compliance_records_type_ts')
    .on('compliance_records')
    .columns(['workspace_id', 'event_type', 'ts'])
    .execute();
  await db.schema
    .createIndex('compliance_records_user')
    .on('compliance_records')
    .columns(['workspace_id', 'user_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('compliance_records_thread')
    .on('compliance_records')
    .columns(['workspace_id', 'thread_id', 'seq'])
    .execute();

  await db.schema
    .createTable('compliance_content')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_content_pk', ['workspace_id', 'seq'])
    .execute();
  // The fold below appends through today's chain code, which on PostgreSQL writes the content's
  // partition key (migration 0040); 0040 replaces this table, taking type and time from the chain
  // rows, so stores made before these columns existed migrate the same way.
  if (!isSqlite(db))
    await sql`alter table compliance_content add column event_type text, add column ts bigint`.execute(db);

  await db.schema
    .createTable('compliance_heads')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('max_ts', 'bigint', (c) => c.notNull())
    .execute();

  await clusteredByPrimaryKey(db, db.schema.createTable('compliance_log_index'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('records', 'bigint', (c) => c.notNull())
    .addColumn('first_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('max_ts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_log_index_pk', ['workspace_id', 'event_type', 'minute'])
    .execute();

  await db.schema
    .createTable('compliance_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('from_ts', 'bigint')
    .addColumn('to_ts', 'bigint')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('released_at', 'bigint')
    .addColumn('released_by', 'text')
    .execute();
  await db.schema
    .createIndex('compliance_holds_ws')
    .on('compliance_holds')
    .columns(['workspace_id', 'released_at'])
    .execute();

  await db.schema
    .createTable('compliance_purges')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('cutoff_ts', 'bigint', (c) => c.notNull())
    .addColumn('ran_at', 'bigint', (c) => c.notNull())
    .addColumn('purged', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_purges_pk', ['run_id', 'workspace_id', 'event_type'])
    .execute();

  await db.schema
    .createTable('compliance_checkpoints')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_checkpoints_pk', ['workspace_id', 'seq', 'key_id'])
    .execute();

  await clusteredByPrimaryKey(db, db.schema.createTable('compliance_once'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('once_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_once_pk', ['workspace_id', 'once_key'])
    .execute();

  await db.schema
    .createTable('compliance_sink_cursors')
    .addColumn('sink', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('dead_letters', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_sink_cursors_pk', ['sink', 'workspace_id'])
    .execute();

  await db.schema
    .createTable('compliance_dead_letters')
    .addColumn('sink', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_dead_letters_pk', ['sink', 'workspace_id', 'seq'])
    .execute();

  // Fold the old audit trail into the chain, in its order, then drop it.
  const old = await sql<Record<string, unknown>>`select * from audit_events order by workspace_id, id`.execute(db);
  const byWs = new Map<string, Record<string, unknown>[]>();
  for (const r of old.rows) byWs.set(String(r.workspace_id), [...(byWs.get(String(r.workspace_id)) ?? []), r]);
  for (const [ws, rows] of byWs) {
    const parse = (v: unknown) => (v === null || v === undefined ? undefined : JSON.parse(String(v)));
    const drafts = rows.map((r) =>
      auditDraft({
        ts: Number(r.ts),
        actor: { type: String(r.actor_type), id: (r.actor_id as string | null) ?? null },
        action: String(r.action),
        target: r.target_type ? { type: String(r.target_type), id: String(r.target_id) } : null,
        before: parse(r.before_json),
        after: parse(r.after_json),
        migratedFrom: String(r.id),
      }),
    );
    // PostgreSQL runs migrations in a transaction; SQLite (no transactional DDL in Kysely) does not.
    const chain = db as unknown as Db;
    if (chain.isTransaction) await appendRecords(chain, ws, drafts);
    else await chain.transaction().execute((trx) => appendRecords(trx, ws, drafts));
  }
  await db.schema.dropTable('audit_events').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

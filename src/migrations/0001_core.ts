import type { Kysely } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// One migration set for both dialects: only portable column types (text, bigint, integer).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addUniqueConstraint('workspaces_name', ['name'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('github_login', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('users_ws_email', ['workspace_id', 'email'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('name', 'text')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('shared_collector', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  // Append-only: the repository exposes append and list, nothing else.
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey()) // UUIDv7: ordered by time
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute();
  await db.schema.createIndex('audit_events_ws_ts').on('audit_events').columns(['workspace_id', 'ts']).execute();

  await db.schema
    .createTable('threads')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('originator', 'text')
    .addColumn('thread_kind', 'text', (c) => c.notNull())
    .addColumn('parent_thread_id', 'text')
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('approval_policy', 'text')
    .addColumn('sandbox_policy', 'text')
    .addColumn('host_name', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('threads_pk', ['workspace_id', 'thread_id'])
    .execute();

  await db.schema
    .createTable('turns')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('turn_key', 'text', (c) => c.notNull())
    .addColumn('turn_id', 'text')
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('prompt_length', 'integer')
    .addColumn('prompt', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('turns_pk', ['workspace_id', 'turn_key'])
    .execute();

  await db.schema
    .createTable('model_requests')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('request_key', 'text', (c) => c.notNull())
    .addColumn('response_id', 'text')
    .addColumn('turn_id', 'text')
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cached_input_tokens', 'bigint', (c) => c.notNull())
    .addColumn('output_tokens', 'bigint', (c) => c.notNull())
    .addColumn('reasoning_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost_nusd', 'bigint', (c) => c.notNull())
    .addColumn('credits_n', 'bigint', (c) => c.notNull())
    .addColumn('pricing_version', 'text', (c) => c.notNull())
    .addColumn('fallback_priced', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_requests_pk', ['workspace_id', 'request_key'])
    .execute();

  await db.schema
    .createTable('tool_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('tool_key', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('tool_name', 'text')
    .addColumn('decision', 'text')
    .addColumn('decision_source', 'text')
    .addColumn('success', 'integer')
    .addColumn('duration_ms', 'bigint')
    .addColumn('arguments', 'text')
    .addColumn('output', 'text')
    .addPrimaryKeyConstraint('tool_events_pk', ['workspace_id', 'tool_key'])
    .execute();

  const counters = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
    [
      'threads',
      'turns',
      'requests',
      'input_tokens',
      'cached_input_tokens',
      'output_tokens',
      'reasoning_tokens',
      'cost_nusd',
      'credits_n',
    ].reduce((acc, col) => acc.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0)), t);
  for (const grain of ['day', 'week']) {
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`usage_user_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`usage_user_${grain}_pk`, ['workspace_id', 'bucket', 'user_id', 'client_id'])
      .execute();
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`usage_user_model_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`usage_user_model_${grain}_pk`, ['workspace_id', 'bucket', 'user_id', 'model'])
      .execute();
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`usage_ws_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`usage_ws_${grain}_pk`, ['workspace_id', 'bucket', 'client_id'])
      .execute();
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`usage_ws_model_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`usage_ws_model_${grain}_pk`, ['workspace_id', 'bucket', 'model'])
      .execute();
    await clusteredByPrimaryKey(db, db.schema.createTable(`thread_${grain}_set`))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('thread_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`thread_${grain}_set_pk`, ['workspace_id', 'bucket', 'thread_id'])
      .execute();
    await clusteredByPrimaryKey(db, db.schema.createTable(`active_user_${grain}_set`))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`active_user_${grain}_set_pk`, ['workspace_id', 'bucket', 'user_id', 'client_id'])
      .execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

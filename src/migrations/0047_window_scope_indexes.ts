import type { Kysely } from 'kysely';

// The trailing-window base by one client or one model (decisions/0066): the ranking filtered by a
// client or a model read the whole window's rows, the key holding the client or model after the
// person (PostgreSQL: 2,500 rows kept of 28,700 read), to keep a tenth. With the scope before the
// person, the filter is a range of the index.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('usage_user_window_client')
    .on('usage_user_window')
    .columns(['workspace_id', 'window_days', 'anchor', 'client_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('usage_user_model_window_model')
    .on('usage_user_model_window')
    .columns(['workspace_id', 'window_days', 'anchor', 'model', 'user_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

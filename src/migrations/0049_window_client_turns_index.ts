import type { Kysely } from 'kysely';

// Active users by client over a trailing window count the base's rows with a turn per client
// (decisions/0069). With `turns` in the index by client the count reads the index alone, in client
// order: without it, each of a 30-day window's ~40,000 rows was looked up in the table for its
// turns, or the rows were sorted by client. The index of 0047 is this one's prefix: replaced.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('usage_user_window_client_turns')
    .on('usage_user_window')
    .columns(['workspace_id', 'window_days', 'anchor', 'client_id', 'user_id', 'turns'])
    .execute();
  await db.schema.dropIndex('usage_user_window_client').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

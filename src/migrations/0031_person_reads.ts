import type { Kysely } from 'kysely';

// The dashboard's per-person reads (analytics/people.*): a user's threads newest first, then the
// turns and model requests of one page of those threads, and the machines each user sends from.
// Without these each is a scan of the whole workspace's facts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('threads_user_first_seen')
    .on('threads')
    .columns(['workspace_id', 'user_id', 'first_seen_at', 'thread_id'])
    .execute();
  await db.schema
    .createIndex('threads_user_host')
    .on('threads')
    .columns(['workspace_id', 'user_id', 'host_name'])
    .execute();
  await db.schema.createIndex('turns_thread').on('turns').columns(['workspace_id', 'thread_id']).execute();
  await db.schema
    .createIndex('model_requests_thread')
    .on('model_requests')
    .columns(['workspace_id', 'thread_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['threads_user_first_seen', 'threads_user_host', 'turns_thread', 'model_requests_thread'])
    await db.schema.dropIndex(name).execute();
}

import { type Kysely, sql } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// Each person's first and last active UTC day (a day with a counted turn, as the active-user sets
// count them), kept at ingest beside those sets: the seat view (analytics/people.*) reads 10,000
// people's spans from 10,000 rows instead of grouping every user-day of the workspace (~140 ms of
// CPU per read at 10,000 users and 90 days). Filled here from the day set for the data already in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await clusteredByPrimaryKey(db, db.schema.createTable('user_activity'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('first_day', 'integer', (c) => c.notNull())
    .addColumn('last_day', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_activity_pk', ['workspace_id', 'user_id'])
    .execute();
  await sql`insert into user_activity (workspace_id, user_id, first_day, last_day)
    select workspace_id, user_id, min(bucket), max(bucket) from active_user_day_set
    group by workspace_id, user_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_activity').execute();
}

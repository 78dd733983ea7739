import { sql, type Kysely } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// Skill invocations per workspace, bucket (UTC day; ISO week from Monday, as the usage rollups),
// user, skill name and scope (decisions/0032): what GET .../skills reads, kept by the ingest
// transaction that inserts the codex_events row, so a replay (no new row) adds nothing. The
// invocations stored before this migration are counted here, from codex_events.
const DAY_MS = 86_400_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const grain of ['day', 'week'] as const) {
    await clusteredByPrimaryKey(db, db.schema.createTable(`usage_skill_${grain}`))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('skill_name', 'text', (c) => c.notNull())
      .addColumn('skill_scope', 'text', (c) => c.notNull())
      .addColumn('invocations', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint(`usage_skill_${grain}_pk`, [
        'workspace_id',
        'bucket',
        'user_id',
        'skill_name',
        'skill_scope',
      ])
      .execute();
  }
  // core/time.ts: day = floor(ts / DAY_MS), week = floor((day + 3) / 7). Integer division of
  // non-negative integers is floor in both databases.
  const day = sql`(e.ts / ${sql.lit(DAY_MS)})`;
  const buckets = { day, week: sql`((${day} + 3) / 7)` };
  for (const [grain, bucket] of Object.entries(buckets)) {
    await sql`
      insert into ${sql.table(`usage_skill_${grain}`)}
        (workspace_id, bucket, user_id, skill_name, skill_scope, invocations)
      select e.workspace_id, ${bucket}, e.user_id, coalesce(e.skill_name, 'unknown'),
             coalesce(e.skill_scope, 'unknown'), count(*)
      from codex_events e
      where e.category = 'skill_invocation'
      group by 1, 2, 3, 4, 5`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_skill_day').execute();
  await db.schema.dropTable('usage_skill_week').execute();
}

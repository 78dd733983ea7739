import type { Kysely } from 'kysely';

// Teams (decisions/0026): named groups of a workspace's users; a user may be in several, so
// membership is its own table, read by the Analytics API beside the per-user rollups. Service
// identities: a key marked as a CI or service identity, and the user it acts for, whose usage counts
// in workspace totals but not as an active user nor among per-user rows. 0/1, as shared_collector.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('teams_workspace_name', ['workspace_id', 'name'])
    .execute();
  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  // A user's teams (per-user rows name them).
  await db.schema.createIndex('team_members_user').on('team_members').columns(['workspace_id', 'user_id']).execute();
  await db.schema
    .alterTable('api_keys')
    .addColumn('service', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('service', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

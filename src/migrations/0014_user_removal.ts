import type { Kysely } from 'kysely';

// `steward users remove`: a removed user keeps every record and fact (the archive names them), loses
// their keys, and is listed as removed. Null: active.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('removed_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('removed_at').execute();
}

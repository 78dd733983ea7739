import type { Kysely } from 'kysely';

// Which source stored a tool call first, read back by the insert that stores it: the compliance chain
// needs it to know whether a later arrival completes another source's record (decisions/0019). Rows
// from before this migration keep null and are told apart by the older compliance_once claims.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tool_events').addColumn('source', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tool_events').dropColumn('source').execute();
}

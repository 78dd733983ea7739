import type { Kysely } from 'kysely';

// Fact tables hold facts, not content. Prompt text (turns.prompt) and tool arguments and output
// (tool_events) were copies of what the compliance archive holds: nothing read them, they doubled the
// bytes every ingest commit wrote, and retention and legal holds (which govern compliance_content and
// rollout_content) never reached them. The prompt's length stays.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('turns').dropColumn('prompt').execute();
  await db.schema.alterTable('tool_events').dropColumn('arguments').execute();
  await db.schema.alterTable('tool_events').dropColumn('output').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import type { Kysely } from 'kysely';

// A running job's lease (decisions/0062): the node that runs a period renews lease_until while its
// run lasts; a row still unfinished past its lease belonged to a node that died mid-run, and the
// next node to tick takes the period over (compare-and-set), so a crash no longer costs the period
// its run. Rows from before this migration have none: their lease is reckoned from started_at.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('job_runs').addColumn('lease_until', 'bigint').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import type { Kysely } from 'kysely';

// Background jobs run once per period across every `steward serve` on one database (decisions/0039):
// the node that inserts a (job, workspace, period) row runs that period's job; the others find the
// row and skip. Rows stay as the jobs' own history (which node ran what, when, with what result).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('period', 'bigint', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('job_runs_pk', ['job', 'workspace_id', 'period'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

import type { Kysely } from 'kysely';

// compliance_records_type_recorded (workspace, event_type, recorded_at, seq) has had no reader since
// log files are located through compliance_log_index and read by seq ranges (decisions/0008);
// search and retention use the (workspace, event_type, ts) index. Every record still paid for it:
// one of the six B-trees each ingested record updated.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('compliance_records_type_recorded').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}

// What verification reads besides the chain: retention explanations and signed checkpoints.
// Checkpoints are appended and listed, never changed.
import type { DbOrTrx } from '../database.js';
import type { ComplianceCheckpointTable } from '../compliance.schema.js';

// Per event type, the newest cutoff any retention run applied.
export async function purgeCutoffs(db: DbOrTrx, workspaceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('compliance_purges')
    .select(['event_type', (eb) => eb.fn.max('cutoff_ts').as('cutoff')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('event_type')
    .execute();
  return new Map(rows.map((r) => [r.event_type, Number(r.cutoff)]));
}

export async function insertCheckpoint(db: DbOrTrx, row: ComplianceCheckpointTable): Promise<void> {
  await db.insertInto('compliance_checkpoints').values(row).onConflict((oc) => oc.columns(['workspace_id', 'seq', 'key_id']).doNothing()).execute();
}

export async function listCheckpoints(db: DbOrTrx, workspaceId: string, limit = 1000, beforeSeq?: number): Promise<ComplianceCheckpointTable[]> {
  let q = db.selectFrom('compliance_checkpoints').selectAll().where('workspace_id', '=', workspaceId);
  if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), recorded_at: Number(r.recorded_at), signed_at: Number(r.signed_at) }));
}

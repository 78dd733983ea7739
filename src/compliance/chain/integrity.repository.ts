// What verification reads besides the chain: how far rows are stored, and signed checkpoints.
// Checkpoints are appended and listed, never changed.
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceCheckpointTable } from '../compliance.tables.js';

// The highest seq stored for the workspace, chain row or content (0: none): two primary-key lookups.
export async function maxStoredSeq(db: DbOrTrx, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('compliance_records')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  const c = await db
    .selectFrom('compliance_content')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return Math.max(Number(r?.m ?? 0), Number(c?.m ?? 0));
}

export async function insertCheckpoint(db: DbOrTrx, row: ComplianceCheckpointTable): Promise<void> {
  await db
    .insertInto('compliance_checkpoints')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'seq', 'key_id']).doNothing())
    .execute();
}

export async function listCheckpoints(
  db: DbOrTrx,
  workspaceId: string,
  limit = 1000,
  beforeSeq?: number,
  keyId?: string,
): Promise<ComplianceCheckpointTable[]> {
  let q = db.selectFrom('compliance_checkpoints').selectAll().where('workspace_id', '=', workspaceId);
  if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
  if (keyId !== undefined) q = q.where('key_id', '=', keyId);
  const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    recorded_at: Number(r.recorded_at),
    signed_at: Number(r.signed_at),
  }));
}

// Checkpoints with seq in (afterSeq, untilSeq], oldest first (forwarding to the sinks).
export async function listCheckpointsBetween(
  db: DbOrTrx,
  workspaceId: string,
  afterSeq: number,
  untilSeq: number,
  limit: number,
): Promise<ComplianceCheckpointTable[]> {
  const rows = await db
    .selectFrom('compliance_checkpoints')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', untilSeq)
    .orderBy('seq')
    .orderBy('key_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    recorded_at: Number(r.recorded_at),
    signed_at: Number(r.signed_at),
  }));
}

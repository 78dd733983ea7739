// Per sink and workspace: the forwarding cursor (last record delivered), counters, the last
// error, and a lease so that only one Steward node forwards a given sink and workspace at a time.
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceSinkCursorTable } from '../compliance.tables.js';

// Takes (or renews) the lease and returns the cursor, or undefined when another node holds it.
export async function acquireSinkLease(
  db: DbOrTrx,
  sink: string,
  workspaceId: string,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<number | undefined> {
  await db
    .insertInto('compliance_sink_cursors')
    .values({
      sink,
      workspace_id: workspaceId,
      seq: 0,
      checkpoint_seq: 0,
      delivered: 0,
      dead_letters: 0,
      last_error: null,
      last_error_at: null,
      lease_owner: null,
      lease_until: null,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['sink', 'workspace_id']).doNothing())
    .execute();
  const r = await db
    .updateTable('compliance_sink_cursors')
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', now)]))
    .returning('seq')
    .executeTakeFirst();
  return r ? Number(r.seq) : undefined;
}

export async function releaseSinkLease(db: DbOrTrx, sink: string, workspaceId: string, owner: string): Promise<void> {
  await db
    .updateTable('compliance_sink_cursors')
    .set({ lease_owner: null, lease_until: null })
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .where('lease_owner', '=', owner)
    .execute();
}

// Moves the cursor (only while holding the lease) and adds to the counters.
export async function advanceSinkCursor(
  db: DbOrTrx,
  sink: string,
  workspaceId: string,
  owner: string,
  seq: number,
  delivered: number,
  deadLetters: number,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('compliance_sink_cursors')
    .set((eb) => ({
      seq,
      delivered: eb('delivered', '+', delivered),
      dead_letters: eb('dead_letters', '+', deadLetters),
      last_error: deadLetters ? undefined : null,
      updated_at: now,
    }))
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function noteSinkError(
  db: DbOrTrx,
  sink: string,
  workspaceId: string,
  error: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('compliance_sink_cursors')
    .set({ last_error: error.slice(0, 1000), last_error_at: now })
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .execute();
}

export async function insertDeadLetters(
  db: DbOrTrx,
  rows: { sink: string; workspace_id: string; seq: number; record_id: string; error: string; at: number }[],
): Promise<void> {
  if (rows.length)
    await db
      .insertInto('compliance_dead_letters')
      .values(rows)
      .onConflict((oc) => oc.columns(['sink', 'workspace_id', 'seq']).doNothing())
      .execute();
}

export async function listSinkCursors(db: DbOrTrx, workspaceId: string): Promise<ComplianceSinkCursorTable[]> {
  const rows = await db
    .selectFrom('compliance_sink_cursors')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('sink')
    .execute();
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    checkpoint_seq: Number(r.checkpoint_seq),
    delivered: Number(r.delivered),
    dead_letters: Number(r.dead_letters),
  }));
}

// The checkpoint cursor: the seq of the last signed checkpoint this sink accepted.
export async function sinkCheckpointSeq(db: DbOrTrx, sink: string, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('compliance_sink_cursors')
    .select('checkpoint_seq')
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return Number(r?.checkpoint_seq ?? 0);
}

export async function advanceSinkCheckpoints(
  db: DbOrTrx,
  sink: string,
  workspaceId: string,
  owner: string,
  seq: number,
): Promise<void> {
  await db
    .updateTable('compliance_sink_cursors')
    .set({ checkpoint_seq: seq })
    .where('sink', '=', sink)
    .where('workspace_id', '=', workspaceId)
    .where('lease_owner', '=', owner)
    .execute();
}

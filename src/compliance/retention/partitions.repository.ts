// Reads of one content partition for retention's drop (PostgreSQL only, decisions/0045): which
// records it holds, and whether an active legal hold reaches any of them.
import { sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceHoldTable } from '../compliance.tables.js';

// The partition's rows until the caller's transaction ends: SHARE blocks inserts (a late event
// routed there) but not reads, so the seqs read next are every seq the drop removes. The locks of
// the rest of the transaction wait at most `lockTimeoutMs` each.
export async function freezePartition(trx: DbOrTrx, partition: string, lockTimeoutMs: number): Promise<void> {
  await sql.raw(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`).execute(trx);
  await sql`lock table ${sql.id(partition)} in share mode`.execute(trx);
}

/** The seqs (ascending) of each workspace's records in the partition. */
export async function seqsInPartition(db: DbOrTrx, partition: string): Promise<Map<string, number[]>> {
  const r = await sql<{ workspace_id: string; seq: string }>`select workspace_id, seq
    from ${sql.id(partition)} order by workspace_id, seq`.execute(db);
  const out = new Map<string, number[]>();
  for (const row of r.rows) {
    let list = out.get(row.workspace_id);
    if (!list) out.set(row.workspace_id, (list = []));
    list.push(Number(row.seq));
  }
  return out;
}

/** Whether any of `holds` (one workspace's) covers a record of that workspace in the partition. */
export async function partitionHeld(
  db: DbOrTrx,
  partition: string,
  workspaceId: string,
  holds: readonly ComplianceHoldTable[],
): Promise<boolean> {
  if (!holds.length) return false;
  // The same criteria as retention's row path (heldBy in retention.repository.ts): every criterion
  // a hold sets must match; content is held by its record's user, thread and event time.
  const one = (h: ComplianceHoldTable) => {
    const parts = [sql`true`];
    if (h.user_id !== null) parts.push(sql`r.user_id = ${h.user_id}`);
    if (h.thread_id !== null) parts.push(sql`r.thread_id = ${h.thread_id}`);
    if (h.from_ts !== null) parts.push(sql`r.ts >= ${h.from_ts}`);
    if (h.to_ts !== null) parts.push(sql`r.ts < ${h.to_ts}`);
    return sql`(${sql.join(parts, sql` and `)})`;
  };
  const r = await sql<{ held: boolean }>`select exists (select 1 from ${sql.id(partition)} c
    join compliance_records r on r.workspace_id = c.workspace_id and r.seq = c.seq
    where c.workspace_id = ${workspaceId} and (${sql.join(holds.map(one), sql` or `)})) as held`.execute(db);
  return r.rows[0]?.held === true;
}

/** Every workspace's active holds, by workspace. */
export async function activeHoldsByWorkspace(db: DbOrTrx): Promise<Map<string, ComplianceHoldTable[]>> {
  const rows = await db.selectFrom('compliance_holds').selectAll().where('released_at', 'is', null).execute();
  const out = new Map<string, ComplianceHoldTable[]>();
  for (const h of rows) {
    const hold = {
      ...h,
      from_ts: h.from_ts === null ? null : Number(h.from_ts),
      to_ts: h.to_ts === null ? null : Number(h.to_ts),
    };
    out.set(h.workspace_id, [...(out.get(h.workspace_id) ?? []), hold]);
  }
  return out;
}

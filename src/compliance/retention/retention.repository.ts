// Legal holds and retention. The one place that removes anything compliance-related: the content
// of records past retention and not under an active hold. Chain rows (hashes, metadata) stay.
import type { ExpressionBuilder } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceHoldTable } from '../compliance.tables.js';
import { removeFromIndex } from '../reads/search-index.repository.js';
import { partitionsByTime } from '../../platform/storage/dialect.js';

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const toHold = (h: ComplianceHoldTable): ComplianceHoldTable => ({
  ...h,
  from_ts: num(h.from_ts),
  to_ts: num(h.to_ts),
  created_at: Number(h.created_at),
  released_at: num(h.released_at),
});

export async function insertHold(db: DbOrTrx, row: ComplianceHoldTable): Promise<void> {
  await db.insertInto('compliance_holds').values(row).execute();
}

export async function findHold(db: DbOrTrx, id: string): Promise<ComplianceHoldTable | undefined> {
  const h = await db.selectFrom('compliance_holds').selectAll().where('id', '=', id).executeTakeFirst();
  return h && toHold(h);
}

export async function markHoldReleased(db: DbOrTrx, id: string, at: number, by: string): Promise<boolean> {
  const r = await db
    .updateTable('compliance_holds')
    .set({ released_at: at, released_by: by })
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listHolds(db: DbOrTrx, workspaceId: string, activeOnly: boolean): Promise<ComplianceHoldTable[]> {
  let q = db.selectFrom('compliance_holds').selectAll().where('workspace_id', '=', workspaceId);
  if (activeOnly) q = q.where('released_at', 'is', null);
  return (await q.orderBy('created_at').orderBy('id').execute()).map(toHold);
}

export async function insertPurges(
  db: DbOrTrx,
  rows: { run_id: string; workspace_id: string; event_type: string; cutoff_ts: number; ran_at: number }[],
): Promise<void> {
  if (rows.length)
    await db
      .insertInto('compliance_purges')
      .values(rows.map((r) => ({ ...r, purged: 0 })))
      .execute();
}

export async function setPurgeCount(
  db: DbOrTrx,
  runId: string,
  workspaceId: string,
  eventType: string,
  purged: number,
): Promise<void> {
  await db
    .updateTable('compliance_purges')
    .set({ purged })
    .where('run_id', '=', runId)
    .where('workspace_id', '=', workspaceId)
    .where('event_type', '=', eventType)
    .execute();
}

interface HoldColumns {
  user: string;
  ts: string;
  // Session-file content is held by its own thread or the one it is attributed to (a hold on a
  // conversation covers its sub-agents).
  threads: readonly string[];
}

// A row is held when every criterion a hold sets matches it.
function heldBy(eb: ExpressionBuilder<any, any>, holds: readonly ComplianceHoldTable[], cols: HoldColumns) {
  return eb.or(
    holds.map((h) => {
      const parts = [];
      // "is not null and =" keeps the predicate two-valued, so NOT(held) never turns NULL.
      if (h.user_id !== null) parts.push(eb(cols.user, 'is not', null), eb(cols.user, '=', h.user_id));
      if (h.thread_id !== null)
        parts.push(eb.or(cols.threads.map((c) => eb.and([eb(c, 'is not', null), eb(c, '=', h.thread_id)]))));
      if (h.from_ts !== null) parts.push(eb(cols.ts, '>=', h.from_ts));
      if (h.to_ts !== null) parts.push(eb(cols.ts, '<', h.to_ts));
      return eb.and(parts);
    }),
  );
}

// The seqs (ascending) of up to `limit` records of one type older than `cutoff` that still have
// content and that no hold covers. Retention removal records keep their content: they are what
// explains every other removal.
export async function contentToRemove(
  db: DbOrTrx,
  workspaceId: string,
  eventType: string,
  cutoff: number,
  holds: readonly ComplianceHoldTable[],
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('compliance_records as r')
    .innerJoin('compliance_content as c', (j) =>
      j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.seq', '=', 'r.seq'),
    )
    .select('r.seq')
    .where('r.workspace_id', '=', workspaceId)
    .where('r.event_type', '=', eventType)
    .where('r.ts', '<', cutoff)
    // The same bounds on the content's own copy of the key: only the type's partitions before the cutoff are read.
    .$if(partitionsByTime(db), (q) => q.where('c.event_type', '=', eventType).where('c.ts', '<', cutoff))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('compliance_removals as x')
            .select('x.seq')
            .whereRef('x.workspace_id', '=', 'r.workspace_id')
            .whereRef('x.seq', '=', 'r.seq'),
        ),
      ),
    )
    .$if(holds.length > 0, (q) =>
      q.where((eb) => eb.not(heldBy(eb, holds, { user: 'r.user_id', ts: 'r.ts', threads: ['r.thread_id'] }))),
    )
    .orderBy('r.seq')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.seq));
}

// The search index's copy goes with the content (a record past the indexer's watermark has none yet).
// The seqs are records of `eventType` older than `cutoff` (contentToRemove's).
export async function removeContent(
  db: DbOrTrx,
  workspaceId: string,
  seqs: readonly number[],
  eventType: string,
  cutoff: number,
): Promise<number> {
  if (!seqs.length) return 0;
  await removeFromIndex(db, workspaceId, seqs, { eventType, cutoff });
  const r = await db
    .deleteFrom('compliance_content')
    .where('workspace_id', '=', workspaceId)
    .where('seq', 'in', seqs)
    .$if(partitionsByTime(db), (q) => q.where('event_type', '=', eventType).where('ts', '<', cutoff))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// Notes where a removal record is (verify reads these and checks each against the chain).
export async function insertRemoval(
  db: DbOrTrx,
  row: { workspace_id: string; seq: number; event_type: string },
): Promise<void> {
  await db.insertInto('compliance_removals').values(row).execute();
}

export async function listRemovalSeqs(db: DbOrTrx, workspaceId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('compliance_removals')
    .select('seq')
    .where('workspace_id', '=', workspaceId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => Number(r.seq));
}

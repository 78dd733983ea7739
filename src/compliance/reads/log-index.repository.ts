// The log-file index read whole and recomputed from the chain (verify and reindex); appends keep it
// up to date in compliance-chain.repository.ts, listings read it in compliance-logs.repository.ts.
import { sql } from 'kysely';
import { INDEX_MINUTE_MS, type LogIndexEntry } from '../../core/log-index.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceHeadTable } from '../compliance.tables.js';

const num = (r: Record<string, unknown>): LogIndexEntry => ({
  event_type: r.event_type as string,
  minute: Number(r.minute),
  records: Number(r.records),
  first_seq: Number(r.first_seq),
  last_seq: Number(r.last_seq),
  last_recorded_at: Number(r.last_recorded_at),
  max_ts: Number(r.max_ts),
});

// What the index should hold for the records up to untilSeq: one grouped scan of the workspace's
// primary-key range. recorded_at and the divisor are integers, so "/" divides as an integer on both
// databases (recorded_at is positive: truncation is floor).
export async function logIndexFromChain(db: DbOrTrx, workspaceId: string, untilSeq: number): Promise<LogIndexEntry[]> {
  const minute = sql<number>`recorded_at / ${sql.lit(INDEX_MINUTE_MS)}`;
  const rows = await db
    .selectFrom('compliance_records')
    .select((eb) => [
      'event_type',
      minute.as('minute'),
      eb.fn.countAll().as('records'),
      eb.fn.min('seq').as('first_seq'),
      eb.fn.max('seq').as('last_seq'),
      eb.fn.max('recorded_at').as('last_recorded_at'),
      eb.fn.max('ts').as('max_ts'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('seq', '<=', untilSeq)
    .groupBy(['event_type', minute])
    .execute();
  return rows.map(num);
}

export async function listLogIndex(db: DbOrTrx, workspaceId: string): Promise<LogIndexEntry[]> {
  const rows = await db
    .selectFrom('compliance_log_index')
    .select(['event_type', 'minute', 'records', 'first_seq', 'last_seq', 'last_recorded_at', 'max_ts'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  return rows.map(num);
}

// Takes the chain head's row lock (appends wait until the caller's transaction ends), as appends do.
type LockedHead = Pick<ComplianceHeadTable, 'seq'>;

export async function lockChainHead(db: DbOrTrx, workspaceId: string): Promise<LockedHead | undefined> {
  const h = await db
    .updateTable('compliance_heads')
    .set({ seq: sql`seq` })
    .where('workspace_id', '=', workspaceId)
    .returning('seq')
    .executeTakeFirst();
  return h && { seq: Number(h.seq) };
}

// 8 parameters a row: well under SQLite's and PostgreSQL's limits per statement.
const CHUNK = 500;

export async function upsertLogIndex(db: DbOrTrx, workspaceId: string, rows: readonly LogIndexEntry[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('compliance_log_index')
      .values(rows.slice(i, i + CHUNK).map((r) => ({ workspace_id: workspaceId, ...r })))
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'event_type', 'minute']).doUpdateSet((eb) => ({
          records: eb.ref('excluded.records'),
          first_seq: eb.ref('excluded.first_seq'),
          last_seq: eb.ref('excluded.last_seq'),
          last_recorded_at: eb.ref('excluded.last_recorded_at'),
          max_ts: eb.ref('excluded.max_ts'),
        })),
      )
      .execute();
  }
}

type IndexKey = { event_type: string; minute: number };

export async function deleteLogIndex(db: DbOrTrx, workspaceId: string, rows: readonly IndexKey[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    await db
      .deleteFrom('compliance_log_index')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or(part.map((r) => eb.and([eb('event_type', '=', r.event_type), eb('minute', '=', r.minute)]))))
      .execute();
  }
}

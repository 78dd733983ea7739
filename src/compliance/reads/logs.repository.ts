// Where each event type's records are: the per-minute log index written by appendRecords. Log-file
// listings read it instead of the records, so a page costs O(page) rows.
import { INDEX_MINUTE_MS } from '../../core/log-index.js';
import type { DbOrTrx } from '../../platform/storage/database.js';

export { INDEX_MINUTE_MS };

export interface LogIndexRow {
  minute: number;
  last_recorded_at: number;
}

// Minutes holding records of `eventType` recorded at or after `after` (ascending), a page at a time.
export async function listIndexMinutes(
  db: DbOrTrx,
  workspaceId: string,
  eventType: string,
  after: number,
  afterMinute: number,
  limit: number,
): Promise<LogIndexRow[]> {
  const rows = await db
    .selectFrom('compliance_log_index')
    .select(['minute', 'last_recorded_at'])
    .where('workspace_id', '=', workspaceId)
    .where('event_type', '=', eventType)
    .where('minute', '>', afterMinute)
    .where('last_recorded_at', '>=', after)
    .orderBy('minute')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ minute: Number(r.minute), last_recorded_at: Number(r.last_recorded_at) }));
}

export async function maxEventTime(db: DbOrTrx, workspaceId: string, eventType?: string): Promise<number | null> {
  if (!eventType) {
    const h = await db
      .selectFrom('compliance_heads')
      .select('max_ts')
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return h && Number(h.max_ts) > 0 ? Number(h.max_ts) : null;
  }
  const r = await db
    .selectFrom('compliance_log_index')
    .select((eb) => eb.fn.max('max_ts').as('m'))
    .where('workspace_id', '=', workspaceId)
    .where('event_type', '=', eventType)
    .executeTakeFirst();
  return r?.m === null || r?.m === undefined ? null : Number(r.m);
}

// The seq range holding a type's records recorded in [from, to) (from the per-minute index).
export async function seqBounds(
  db: DbOrTrx,
  workspaceId: string,
  eventType: string,
  from: number,
  to: number,
): Promise<{ first: number; last: number } | null> {
  const r = await db
    .selectFrom('compliance_log_index')
    .select((eb) => [eb.fn.min('first_seq').as('first'), eb.fn.max('last_seq').as('last')])
    .where('workspace_id', '=', workspaceId)
    .where('event_type', '=', eventType)
    .where('minute', '>=', Math.floor(from / INDEX_MINUTE_MS))
    .where('minute', '<=', Math.floor((to - 1) / INDEX_MINUTE_MS))
    .executeTakeFirst();
  return r?.first === null || r?.first === undefined ? null : { first: Number(r.first), last: Number(r.last) };
}

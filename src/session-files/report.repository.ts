// Facts for the offline report (steward report): usage summed per quarter hour (every time zone's
// offset is a multiple of 15 minutes, so the service can bucket quarter hours into local days,
// weeks and months exactly), and counted turns per quarter hour and thread.
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/storage/database.js';
import { SLOT_MS, type TurnSlotRow, type UsageSlotRow } from './client/usage-report.js';

export { SLOT_MS, type TurnSlotRow, type UsageSlotRow };

export interface ReportScope {
  workspaceId: string;
  userId?: string;
  fromTs: number;
  toTs: number;
}

export async function usageSlots(db: DbOrTrx, q: ReportScope): Promise<UsageSlotRow[]> {
  let s = db
    .selectFrom('model_requests')
    .select((eb) => [
      sql<number>`ts / ${sql.lit(SLOT_MS)}`.as('slot'),
      'model',
      'thread_id',
      eb.fn.countAll<number>().as('requests'),
      eb.fn.sum<number>('input_tokens').as('input_tokens'),
      eb.fn.sum<number>('cached_input_tokens').as('cached_input_tokens'),
      eb.fn.sum<number>('output_tokens').as('output_tokens'),
      eb.fn.sum<number>('reasoning_tokens').as('reasoning_tokens'),
      eb.fn.sum<number>('cost_nusd').as('cost_nusd'),
      eb.fn.max<number>('fallback_priced').as('fallback'),
      eb.fn.min<number>('ts').as('first_ts'),
      eb.fn.max<number>('ts').as('last_ts'),
    ])
    .where('workspace_id', '=', q.workspaceId)
    .where('ts', '>=', q.fromTs)
    .where('ts', '<', q.toTs);
  if (q.userId) s = s.where('user_id', '=', q.userId);
  const rows = await s.groupBy([sql`ts / ${sql.lit(SLOT_MS)}`, 'model', 'thread_id']).execute();
  return rows.map((r) => ({
    slot: Number(r.slot),
    model: r.model,
    thread_id: r.thread_id,
    requests: Number(r.requests),
    input_tokens: Number(r.input_tokens),
    cached_input_tokens: Number(r.cached_input_tokens),
    output_tokens: Number(r.output_tokens),
    reasoning_tokens: Number(r.reasoning_tokens),
    cost_nusd: Number(r.cost_nusd),
    fallback: Number(r.fallback),
    first_ts: Number(r.first_ts),
    last_ts: Number(r.last_ts),
  }));
}

/**
 * Counted turns per quarter hour and thread: as in the rollups, a turn of a sub-agent or a title
 * thread is not a user turn. The thread a turn was matched within (turns.match_thread, as in fact_reconcile:
 * the session file's own thread, or OTLP's conversation) tells its kind.
 */
export async function turnSlots(db: DbOrTrx, q: ReportScope): Promise<TurnSlotRow[]> {
  let s = db
    .selectFrom('turns as t')
    .leftJoin('threads as th', (j) =>
      j.onRef('th.workspace_id', '=', 't.workspace_id').onRef('th.thread_id', '=', 't.match_thread'),
    )
    .select((eb) => [
      sql<number>`t.ts / ${sql.lit(SLOT_MS)}`.as('slot'),
      't.thread_id',
      eb.fn.countAll<number>().as('turns'),
    ])
    .where('t.workspace_id', '=', q.workspaceId)
    .where('t.ts', '>=', q.fromTs)
    .where('t.ts', '<', q.toTs)
    .where((eb) => eb.or([eb('th.thread_kind', 'is', null), eb('th.thread_kind', '=', 'user')]));
  if (q.userId) s = s.where('t.user_id', '=', q.userId);
  const rows = await s.groupBy([sql`t.ts / ${sql.lit(SLOT_MS)}`, 't.thread_id']).execute();
  return rows.map((r) => ({ slot: Number(r.slot), thread_id: r.thread_id, turns: Number(r.turns) }));
}

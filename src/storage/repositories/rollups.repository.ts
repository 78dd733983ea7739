// Rollup upkeep: counters added with one multi-row upsert per table, rows sorted by key so that
// concurrent PostgreSQL writers (several `serve` nodes) always lock in the same order.
import { sql } from 'kysely';
import type { DbOrTrx } from '../database.js';
import type { Database, UsageCounters } from '../schema.js';

export const COUNTER_COLUMNS = [
  'threads',
  'turns',
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nusd',
  'credits_n',
] as const satisfies readonly (keyof UsageCounters)[];

export type RollupTable =
  | 'usage_user_day'
  | 'usage_user_week'
  | 'usage_user_model_day'
  | 'usage_user_model_week'
  | 'usage_ws_day'
  | 'usage_ws_week'
  | 'usage_ws_model_day'
  | 'usage_ws_model_week';

export const ROLLUP_KEYS: Record<RollupTable, readonly string[]> = {
  usage_user_day: ['workspace_id', 'bucket', 'user_id', 'client_id'],
  usage_user_week: ['workspace_id', 'bucket', 'user_id', 'client_id'],
  usage_user_model_day: ['workspace_id', 'bucket', 'user_id', 'model'],
  usage_user_model_week: ['workspace_id', 'bucket', 'user_id', 'model'],
  usage_ws_day: ['workspace_id', 'bucket', 'client_id'],
  usage_ws_week: ['workspace_id', 'bucket', 'client_id'],
  usage_ws_model_day: ['workspace_id', 'bucket', 'model'],
  usage_ws_model_week: ['workspace_id', 'bucket', 'model'],
};

export type CounterRow = Record<string, string | number>;

const CHUNK = 500;

export async function addToRollup(db: DbOrTrx, table: RollupTable, rows: CounterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const keys = ROLLUP_KEYS[table];
  rows.sort((a, b) => {
    for (const k of keys) {
      if (a[k] < b[k]) return -1;
      if (a[k] > b[k]) return 1;
    }
    return 0;
  });
  const set = Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + excluded.${sql.ref(c)}`]));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table as keyof Database)
      .values(rows.slice(i, i + CHUNK) as never)
      .onConflict((oc) => oc.columns(keys as never).doUpdateSet(set as never))
      .execute();
  }
}

// Insert-or-ignore into a distinct set; returns the rows that were new (RETURNING on both dialects).
export async function insertNewSetRows<T extends Record<string, string | number>>(
  db: DbOrTrx,
  table: 'thread_day_set' | 'thread_week_set' | 'active_user_day_set' | 'active_user_week_set',
  keyCols: readonly string[],
  rows: T[],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const res = await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .onConflict((oc) => oc.columns(keyCols as never).doNothing())
      .returning(keyCols as never)
      .execute();
    out.push(...(res as unknown as T[]));
  }
  return out;
}

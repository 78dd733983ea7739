// Rollup upkeep: counters added with one multi-row upsert per table, rows sorted by key so that
// concurrent PostgreSQL writers (several `serve` nodes) always lock in the same order.
import { conflictAddCounters, conflictDoNothing, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { UsageCounters } from './ingest.tables.js';

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
type SetTable = 'thread_day_set' | 'thread_week_set' | 'active_user_day_set' | 'active_user_week_set';

// Counter upserts for several rollup tables, rows sorted by key (for insertMany: with the other
// inserts of the group that return nothing, one statement on PostgreSQL).
export function rollupInserts(deltas: readonly { table: RollupTable; rows: CounterRow[] }[]): { spec: InsertSpec; rows: CounterRow[] }[] {
  return deltas.map(({ table, rows }) => {
    const keys = ROLLUP_KEYS[table];
    rows.sort((a, b) => {
      for (const k of keys) {
        if (a[k] < b[k]) return -1;
        if (a[k] > b[k]) return 1;
      }
      return 0;
    });
    return { spec: rollupSpec(table), rows };
  });
}

const rollupSpecs = new Map<RollupTable, InsertSpec>();
function rollupSpec(table: RollupTable): InsertSpec {
  let spec = rollupSpecs.get(table);
  if (!spec) {
    const keys = ROLLUP_KEYS[table];
    rollupSpecs.set(table, (spec = { table, columns: [...keys, ...COUNTER_COLUMNS], onConflict: conflictAddCounters(table, keys, COUNTER_COLUMNS) }));
  }
  return spec;
}

const setSpecs = new Map<string, InsertSpec>();

// Insert-or-ignore into distinct sets when nobody needs to know which rows were new (for insertMany).
export function setInserts(parts: readonly { table: SetTable; keyCols: readonly string[]; rows: Record<string, string | number>[] }[]): { spec: InsertSpec; rows: Record<string, string | number>[] }[] {
  return parts.map(({ table, keyCols, rows }) => {
    const id = `${table}\u0000${keyCols.join()}\u0000-`;
    let spec = setSpecs.get(id);
    if (!spec) setSpecs.set(id, (spec = { table, columns: keyCols, onConflict: conflictDoNothing(keyCols) }));
    return { spec, rows };
  });
}

// Rollup upkeep: counters added with one multi-row upsert per table, rows sorted by key so that
// concurrent PostgreSQL writers (several `serve` nodes) always lock in the same order.
import { conflictAddCounters, conflictDoNothing, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { UsageCounters } from './ingest.tables.js';
import {
  COUNTERS,
  ROLLUP_KEYS,
  SKILL_ROLLUP_KEYS,
  type CounterRow,
  type RollupTable,
  type SkillRollupTable,
} from '../core/rollups.js';
import { surfaceOf } from '../core/clients.js';

// The counters every rollup table has (core/rollups.ts), checked against the tables' type.
export const COUNTER_COLUMNS = COUNTERS satisfies readonly (keyof UsageCounters)[];

// Counter upserts for several rollup tables, rows sorted by key (for insertMany: with the other
// inserts of the group that return nothing, one statement on PostgreSQL).
export function rollupInserts(
  deltas: readonly { table: RollupTable; rows: CounterRow[] }[],
): { spec: InsertSpec; rows: CounterRow[] }[] {
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

// Built once per table: bulk-insert.ts keeps each spec's statement text.
const ROLLUP_SPECS = Object.fromEntries(
  (Object.keys(ROLLUP_KEYS) as RollupTable[]).map((table) => {
    const keys = ROLLUP_KEYS[table];
    return [
      table,
      { table, columns: [...keys, ...COUNTER_COLUMNS], onConflict: conflictAddCounters(table, keys, COUNTER_COLUMNS) },
    ];
  }),
) as unknown as Record<RollupTable, InsertSpec>;
const rollupSpec = (table: RollupTable): InsertSpec => ROLLUP_SPECS[table];

// A set of people: a row once per key, a second insert of it ignored.
const setSpec = (table: string, columns: string[]): InsertSpec => ({
  table,
  columns,
  onConflict: conflictDoNothing(columns),
});
const ACTIVE_KEYS = ['workspace_id', 'bucket', 'user_id', 'client_id'];
const ACTIVE_DAY = setSpec('active_user_day_set', ACTIVE_KEYS);
const ACTIVE_WEEK = setSpec('active_user_week_set', ACTIVE_KEYS);
const SURFACE_KEYS = ['workspace_id', 'bucket', 'user_id', 'surface'];
const SURFACE_DAY = setSpec('active_user_day_surface_set', SURFACE_KEYS);
const SURFACE_WEEK = setSpec('active_user_week_surface_set', SURFACE_KEYS);

// The client-level set rows' people per surface and once with surface '' (any), each key once and
// sorted (lock order on PostgreSQL). The database counts what these inserts add (migration 0041):
// a person active on two clients of one surface counts once for it, and once in all.
function surfaceRows(set: readonly CounterRow[]): CounterRow[] {
  const rows = new Map<string, CounterRow>();
  for (const r of set) {
    const at = `${r.workspace_id}\u0000${r.bucket}\u0000${r.user_id}\u0000`;
    for (const surface of [surfaceOf(String(r.client_id)), '']) {
      const k = at + surface;
      if (!rows.has(k)) rows.set(k, { workspace_id: r.workspace_id, bucket: r.bucket, user_id: r.user_id, surface });
    }
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

// A person's activity span widens to take in the batch's days (portable: no least/greatest in SQLite).
const widen = (col: string, keep: '<' | '>') => {
  const [now, old] = [`excluded."${col}"`, `"user_activity"."${col}"`];
  return `"${col}" = case when ${now} ${keep} ${old} then ${now} else ${old} end`;
};
const ACTIVITY: InsertSpec = {
  table: 'user_activity',
  columns: ['workspace_id', 'user_id', 'first_day', 'last_day'],
  onConflict:
    'on conflict ("workspace_id", "user_id") do update set ' + `${widen('first_day', '<')}, ${widen('last_day', '>')}`,
};

/** Each person's first and last day among the day-set rows, sorted by key (lock order on PostgreSQL). */
function activitySpans(day: CounterRow[]): CounterRow[] {
  const spans = new Map<string, CounterRow>();
  for (const r of day) {
    const k = `${r.workspace_id}\u0000${r.user_id}`;
    const b = Number(r.bucket);
    const s = spans.get(k);
    if (!s) spans.set(k, { workspace_id: r.workspace_id, user_id: r.user_id, first_day: b, last_day: b });
    else {
      if (b < Number(s.first_day)) s.first_day = b;
      if (b > Number(s.last_day)) s.last_day = b;
    }
  }
  return [...spans.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

// Insert-or-ignore into the active-user sets, and the people's activity spans widened; nobody here
// needs to know which rows were new (the database counts the sets' new rows, migration 0041).
export function activeUserInserts(day: CounterRow[], week: CounterRow[]): { spec: InsertSpec; rows: CounterRow[] }[] {
  return [
    { spec: ACTIVE_DAY, rows: day },
    { spec: ACTIVE_WEEK, rows: week },
    { spec: SURFACE_DAY, rows: surfaceRows(day) },
    { spec: SURFACE_WEEK, rows: surfaceRows(week) },
    { spec: ACTIVITY, rows: activitySpans(day) },
  ];
}

const skillSpec = (table: SkillRollupTable): InsertSpec => ({
  table,
  columns: [...SKILL_ROLLUP_KEYS, 'invocations'],
  onConflict: conflictAddCounters(table, SKILL_ROLLUP_KEYS, ['invocations']),
});
const SKILL_SPECS: Record<SkillRollupTable, InsertSpec> = {
  usage_skill_day: skillSpec('usage_skill_day'),
  usage_skill_week: skillSpec('usage_skill_week'),
};

// Skill invocation counters (decisions/0032), rows sorted by key like the usage rollups.
export function skillRollupInserts(
  deltas: readonly { table: SkillRollupTable; rows: CounterRow[] }[],
): { spec: InsertSpec; rows: CounterRow[] }[] {
  return deltas.map(({ table, rows }) => {
    rows.sort((a, b) => {
      for (const k of SKILL_ROLLUP_KEYS) {
        if (a[k] < b[k]) return -1;
        if (a[k] > b[k]) return 1;
      }
      return 0;
    });
    return { spec: SKILL_SPECS[table], rows };
  });
}

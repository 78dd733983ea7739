// Code review rollups: counters per (workspace, day|week) and per (workspace, day|week, repository),
// maintained at ingest by adding differences; the analytics endpoints read only these tables.
import { sql } from 'kysely';
import { CR_COUNTERS, type CrCounters } from '../core/code-review.js';
import { weekOfDay } from '../core/time.js';
import type { DbOrTrx } from '../platform/storage/database.js';

export interface CrDelta {
  workspaceId: string;
  day: number; // bucket of the fact's creation time (a comment's reactions land in the comment's day)
  repository: string;
  counters: Partial<CrCounters>;
}

type Table = 'cr_ws_day' | 'cr_ws_week' | 'cr_repo_day' | 'cr_repo_week';
const KEYS: Record<Table, string[]> = {
  cr_ws_day: ['workspace_id', 'bucket'],
  cr_ws_week: ['workspace_id', 'bucket'],
  cr_repo_day: ['workspace_id', 'bucket', 'repository'],
  cr_repo_week: ['workspace_id', 'bucket', 'repository'],
};

// Merges the deltas per rollup row, drops rows that net to zero, and upserts each table's rows in
// key order so concurrent PostgreSQL writers lock rollup rows in the same order.
export async function addCodeReviewDeltas(db: DbOrTrx, deltas: CrDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const tables = new Map<Table, Map<string, Record<string, string | number>>>();
  const add = (t: Table, key: Record<string, string | number>, c: Partial<CrCounters>) => {
    let m = tables.get(t);
    if (!m) tables.set(t, (m = new Map()));
    const id = Object.values(key).join('\u0000');
    let row = m.get(id);
    if (!row) m.set(id, (row = { ...key, ...Object.fromEntries(CR_COUNTERS.map((k) => [k, 0])) }));
    for (const [k, v] of Object.entries(c)) row[k] = (row[k] as number) + (v as number);
  };
  for (const d of deltas) {
    const week = weekOfDay(d.day);
    add('cr_ws_day', { workspace_id: d.workspaceId, bucket: d.day }, d.counters);
    add('cr_ws_week', { workspace_id: d.workspaceId, bucket: week }, d.counters);
    add('cr_repo_day', { workspace_id: d.workspaceId, bucket: d.day, repository: d.repository }, d.counters);
    add('cr_repo_week', { workspace_id: d.workspaceId, bucket: week, repository: d.repository }, d.counters);
  }
  for (const [table, m] of tables) {
    const keys = KEYS[table];
    const rows = [...m.values()].filter((r) => CR_COUNTERS.some((k) => r[k] !== 0));
    if (rows.length === 0) continue;
    rows.sort((a, b) => {
      for (const k of keys) {
        if (a[k] < b[k]) return -1;
        if (a[k] > b[k]) return 1;
      }
      return 0;
    });
    const set = Object.fromEntries(
      CR_COUNTERS.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + excluded.${sql.ref(c)}`]),
    );
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto(table)
        .values(rows.slice(i, i + 500) as never)
        .onConflict((oc) => oc.columns(keys as never).doUpdateSet(set as never))
        .execute();
    }
  }
}

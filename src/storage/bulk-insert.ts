// Multi-row INSERTs for the ingest hot path, written as SQL text by hand. Kysely builds an
// operation node per value, freezes it and compiles the tree for every statement: for the ~15
// multi-row inserts of an ingest group (thousands of values) that cost more CPU than SQLite
// spent running them (profile of bench/ingest.bench.ts). Here the statement text depends only on
// the spec and the row count, is built once and reused, and the values go to the driver as they
// are. Identifiers come from the specs in code, never from input.
import { CompiledQuery } from 'kysely';
import type { DbOrTrx } from './database.js';
import { isSqlite } from './dialect.js';

export interface InsertSpec {
  table: string;
  columns: readonly string[];
  // Raw SQL after VALUES, e.g. `on conflict ("a", "b") do nothing` (the same on both dialects).
  onConflict?: string;
  returning?: readonly string[];
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const texts = new WeakMap<InsertSpec, Map<string, string>>();

function text(spec: InsertSpec, rows: number, sqlite: boolean): string {
  let m = texts.get(spec);
  if (!m) texts.set(spec, (m = new Map()));
  const key = `${sqlite ? 's' : 'p'}${rows}`;
  let t = m.get(key);
  if (t === undefined) {
    const cols = spec.columns.length;
    const tuples: string[] = [];
    for (let r = 0, p = 1; r < rows; r++) {
      const ph: string[] = [];
      for (let c = 0; c < cols; c++, p++) ph.push(sqlite ? '?' : `$${p}`);
      tuples.push(`(${ph.join(', ')})`);
    }
    t = `insert into ${q(spec.table)} (${spec.columns.map(q).join(', ')}) values ${tuples.join(', ')}`;
    if (spec.onConflict) t += ` ${spec.onConflict}`;
    if (spec.returning?.length) t += ` returning ${spec.returning.map(q).join(', ')}`;
    m.set(key, t);
  }
  return t;
}

// Row counts per statement. SQLite: powers of two, so a handful of prepared statements per spec
// stay in the connection's statement cache (database.ts) whatever the batch sizes. PostgreSQL
// parses each statement anyway and every statement is a round trip: as few as possible.
function* chunks<T>(rows: readonly T[], cols: number, sqlite: boolean): Generator<readonly T[]> {
  const max = Math.max(1, Math.min(sqlite ? 256 : 1000, Math.floor(30_000 / cols)));
  let i = 0;
  while (i < rows.length) {
    let n = Math.min(max, rows.length - i);
    if (sqlite) {
      let p = 1;
      while (p * 2 <= n) p *= 2;
      n = p;
    }
    yield rows.slice(i, i + n);
    i += n;
  }
}

/** Inserts `rows` (objects keyed by the spec's columns; undefined is stored as null) and returns the RETURNING rows, if any. */
export async function insertRows<R = Record<string, unknown>>(db: DbOrTrx, spec: InsertSpec, rows: readonly Record<string, unknown>[]): Promise<R[]> {
  const out: R[] = [];
  if (rows.length === 0) return out;
  const sqlite = isSqlite(db);
  const cols = spec.columns;
  for (const chunk of chunks(rows, cols.length, sqlite)) {
    const params: unknown[] = new Array(chunk.length * cols.length);
    let k = 0;
    for (const row of chunk) for (const c of cols) params[k++] = row[c] ?? null;
    const res = await db.executeQuery<R>(CompiledQuery.raw(text(spec, chunk.length, sqlite), params));
    if (spec.returning?.length) for (const r of res.rows) out.push(r);
  }
  return out;
}

/** `on conflict (cols) do nothing` */
export function conflictDoNothing(cols: readonly string[]): string {
  return `on conflict (${cols.map(q).join(', ')}) do nothing`;
}

/** `on conflict (keys) do update set c = "table".c + excluded.c, …`: counters added to existing rows. */
export function conflictAddCounters(table: string, keys: readonly string[], counters: readonly string[]): string {
  return `on conflict (${keys.map(q).join(', ')}) do update set ${counters.map((c) => `${q(c)} = ${q(table)}.${q(c)} + excluded.${q(c)}`).join(', ')}`;
}

// Multi-row INSERTs for the ingest hot path, written as SQL text by hand. Kysely builds an
// operation node per value, freezes it and compiles the tree for every statement: for the ~15
// multi-row inserts of an ingest group (thousands of values) that cost more CPU than SQLite
// spent running them (profile of bench/ingest.bench.ts). Here the statement text depends only on
// the spec and the row count, is built once and reused, and the values go to the driver as they
// are. Identifiers come from the specs in code, never from input.
import { CompiledQuery } from 'kysely';
import type { DbOrTrx } from './database.js';
import { isSqlite } from './dialect.js';

/** Rows for one spec: a part of insertMany / insertManyReturning. */
export interface InsertPart {
  spec: InsertSpec;
  rows: readonly Record<string, unknown>[];
}

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
    t = statement(spec, rows, sqlite ? 0 : 1);
    if (spec.returning?.length) t += ` returning ${spec.returning.map(q).join(', ')}`;
    m.set(key, t);
  }
  return t;
}

// The INSERT without RETURNING; placeholders `?` (first = 0) or `$first`, `$first+1`, ….
function statement(spec: InsertSpec, rows: number, first: number): string {
  const cols = spec.columns.length;
  const tuples: string[] = [];
  for (let r = 0, p = first; r < rows; r++) {
    const ph: string[] = [];
    for (let c = 0; c < cols; c++, p++) ph.push(first === 0 ? '?' : `$${p}`);
    tuples.push(`(${ph.join(', ')})`);
  }
  let t = `insert into ${q(spec.table)} (${spec.columns.map(q).join(', ')}) values ${tuples.join(', ')}`;
  if (spec.onConflict) t += ` ${spec.onConflict}`;
  return t;
}

function pushParams(params: unknown[], spec: InsertSpec, rows: readonly Record<string, unknown>[]): void {
  for (const row of rows) for (const c of spec.columns) params.push(row[c] ?? null);
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

/**
 * Several inserts whose RETURNING nobody needs (rollups, compliance rows). On PostgreSQL they go as
 * one statement, each insert a data-modifying WITH query (they touch different tables; PostgreSQL
 * runs each exactly once): one round trip instead of one per table, which is what an ingest
 * group's time on PostgreSQL mostly is. SQLite has no round trips and no INSERT in WITH: one
 * after the other.
 */
export async function insertMany(db: DbOrTrx, parts: readonly InsertPart[]): Promise<void> {
  const todo = parts.filter((p) => p.rows.length > 0);
  const values = todo.reduce((n, p) => n + p.rows.length * p.spec.columns.length, 0);
  if (isSqlite(db) || todo.length < 2 || values > 30_000) {
    for (const p of todo) await insertRows(db, p.spec, p.rows);
    return;
  }
  const params: unknown[] = [];
  const ctes = todo.map((p, i) => {
    const t = statement(p.spec, p.rows.length, params.length + 1);
    pushParams(params, p.spec, p.rows);
    return `w${i} as (${t})`;
  });
  await db.executeQuery(CompiledQuery.raw(`with ${ctes.join(', ')} select 1`, params));
}

/**
 * Like insertMany, for inserts whose RETURNING rows are needed: one array per part. On PostgreSQL
 * the RETURNING rows of all parts come back from one statement (UNION ALL, tagged by part), so the
 * parts' RETURNING lists must have as many columns, of compatible types, position by position. A part
 * whose spec has no RETURNING is inserted in the same statement and yields an empty array.
 */
export async function insertManyReturning<R = Record<string, unknown>>(db: DbOrTrx, parts: readonly InsertPart[]): Promise<R[][]> {
  const values = parts.reduce((n, p) => n + p.rows.length * p.spec.columns.length, 0);
  if (isSqlite(db) || parts.filter((p) => p.rows.length).length < 2 || values > 30_000) {
    const out: R[][] = [];
    for (const p of parts) out.push(await insertRows<R>(db, p.spec, p.rows));
    return out;
  }
  const params: unknown[] = [];
  const ctes: string[] = [];
  const selects: string[] = [];
  parts.forEach((p, i) => {
    if (!p.rows.length) return;
    const ret = p.spec.returning;
    if (!ret?.length) {
      ctes.push(`w${i} as (${statement(p.spec, p.rows.length, params.length + 1)})`);
      pushParams(params, p.spec, p.rows);
      return;
    }
    ctes.push(`w${i} as (${statement(p.spec, p.rows.length, params.length + 1)} returning ${ret.map(q).join(', ')})`);
    pushParams(params, p.spec, p.rows);
    selects.push(`select ${i} as "p", ${ret.map((c, n) => `${q(c)} as "c${n}"`).join(', ')} from w${i}`);
  });
  if (!selects.length) selects.push('select 0 as "p" where false');
  const res = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`with ${ctes.join(', ')} ${selects.join(' union all ')}`, params));
  const out: R[][] = parts.map(() => []);
  for (const r of res.rows) {
    const i = Number(r.p);
    const row: Record<string, unknown> = {};
    parts[i].spec.returning!.forEach((c, n) => (row[c] = r[`c${n}`]));
    out[i].push(row as R);
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

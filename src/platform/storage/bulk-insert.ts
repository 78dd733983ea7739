// Multi-row INSERTs for the ingest hot path, written as SQL text by hand. Kysely builds an
// operation node per value, freezes it and compiles the tree for every statement: for the ~15
// multi-row inserts of an ingest group (thousands of values) that cost more CPU than SQLite
// spent running them (profile of bench/ingest.bench.ts). Here the statement text is built once
// and reused. SQLite: one `(?, …)` tuple per row, row counts in powers of two, the values go to the
// driver as they are. PostgreSQL: one array parameter per column, rows made by unnest, so the text
// does not depend on the row count and each connection keeps it prepared (database.ts: parsing and
// planning a VALUES list of thousands of parameters was ~40 % of PostgreSQL's CPU on the ingest
// bench). Identifiers come from the specs in code, never from input.
import { CompiledQuery } from 'kysely';
import { PREPARED, type DbOrTrx } from './database.js';
import { isSqlite } from './dialect.js';
import { ROLLUP_COUNTER_MAX } from '../../core/bounds.js';
import { pgType } from './column-types.js';

/** Rows for one spec: a part of insertMany / insertManyReturning. */
export interface InsertPart {
  spec: InsertSpec;
  rows: readonly Record<string, unknown>[];
  // insertManyReturning only: insert just the rows that match a row an earlier part's insert
  // returned, column by column: [this part's row field, the earlier part's RETURNING column]. The
  // fields need not be inserted columns; rows alike in every column are inserted once (on
  // PostgreSQL by the spec's ON CONFLICT DO NOTHING, which such a spec must have). E.g. the
  // distinct-thread sets of the turns that were new.
  onlyIfReturned?: { part: number; match: readonly (readonly [string, string])[] };
}

export interface InsertSpec {
  table: string;
  columns: readonly string[];
  // Raw SQL after the rows, e.g. `on conflict ("a", "b") do nothing` (the same on both dialects).
  onConflict?: string;
  returning?: readonly string[];
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const texts = new WeakMap<InsertSpec, Map<string, string>>();

function text(spec: InsertSpec, rows: number, sqlite: boolean): string {
  let m = texts.get(spec);
  if (!m) texts.set(spec, (m = new Map()));
  const key = sqlite ? `s${rows}` : 'p';
  let t = m.get(key);
  if (t === undefined) {
    t = sqlite ? statement(spec, rows) : PREPARED + pgStatement(spec, 1);
    if (spec.returning?.length) t += ` returning ${spec.returning.map(q).join(', ')}`;
    m.set(key, t);
  }
  return t;
}

// SQLite: the INSERT without RETURNING, one `(?, …)` tuple per row.
function statement(spec: InsertSpec, rows: number): string {
  const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
  const values = new Array<string>(rows).fill(tuple).join(', ');
  let t = `insert into ${q(spec.table)} (${spec.columns.map(q).join(', ')}) values ${values}`;
  if (spec.onConflict) t += ` ${spec.onConflict}`;
  return t;
}

// PostgreSQL: the INSERT without RETURNING, one array parameter per column ($first, $first+1, …).
function pgStatement(spec: InsertSpec, first: number, where = ''): string {
  const arrays = spec.columns.map((c, i) => `$${first + i}::${pgType(c)}[]`);
  let t =
    `insert into ${q(spec.table)} (${spec.columns.map(q).join(', ')}) ` +
    `select * from unnest(${arrays.join(', ')})${where}`;
  if (spec.onConflict) t += ` ${spec.onConflict}`;
  return t;
}

// PostgreSQL parameters: one array literal per column (undefined stored as null), written here.
// A JSON array of strings, numbers and nulls is a valid array literal once its brackets become
// braces (elements quoted with \" and \\ escaped; unquoted null is NULL), as long as no string holds
// what JSON escapes differently (control characters, lone surrogates): JSON.stringify then does
// the escaping natively, 5x faster than node-postgres's two regular-expression passes per element.
function pushColumns(params: unknown[], spec: InsertSpec, rows: readonly Record<string, unknown>[]): void {
  for (const c of spec.columns) {
    const values = new Array<unknown>(rows.length);
    let plain = true;
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r][c];
      if (typeof v === 'string') {
        if (plain && JSON_DIFFERS.test(v)) plain = false;
      } else if (v !== null && v !== undefined && typeof v !== 'number')
        throw new Error(`bulk-insert: unsupported value for ${spec.table}.${c}: ${typeof v}`);
      values[r] = v ?? null;
    }
    params.push(plain ? `{${JSON.stringify(values).slice(1, -1)}}` : arrayLiteral(values));
  }
}
const JSON_DIFFERS = /[\u0000-\u001f\ud800-\udfff]/;

function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let r = 0; r < values.length; r++) {
    if (r) out += ',';
    const v = values[r];
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else out += `"${(v as string).replace(ESCAPED, '\\$&')}"`;
  }
  return out + '}';
}
const ESCAPED = /["\\]/g;

// SQLite: rows per statement in powers of two, so a handful of prepared statements per spec stay in
// the connection's statement cache (database.ts) whatever the batch sizes.
function* chunkSizes(total: number, cols: number): Generator<number> {
  const max = Math.max(1, Math.min(256, Math.floor(30_000 / cols)));
  let i = 0;
  while (i < total) {
    let p = 1;
    while (p * 2 <= Math.min(max, total - i)) p *= 2;
    yield p;
    i += p;
  }
}

function* chunks<T>(rows: readonly T[], cols: number): Generator<readonly T[]> {
  let i = 0;
  for (const n of chunkSizes(rows.length, cols)) {
    yield rows.slice(i, i + n);
    i += n;
  }
}

/**
 * Inserts `rows` (objects keyed by the spec's columns; undefined is stored as null) and returns the
 * RETURNING rows, if any.
 */
export async function insertRows<R = Record<string, unknown>>(
  db: DbOrTrx,
  spec: InsertSpec,
  rows: readonly Record<string, unknown>[],
): Promise<R[]> {
  const out: R[] = [];
  if (rows.length === 0) return out;
  const cols = spec.columns;
  if (!isSqlite(db)) {
    // PostgreSQL: one statement whatever the row count.
    const params: unknown[] = [];
    pushColumns(params, spec, rows);
    return (await db.executeQuery<R>(CompiledQuery.raw(text(spec, rows.length, false), params))).rows;
  }
  for (const chunk of chunks(rows, cols.length)) {
    const params: unknown[] = new Array(chunk.length * cols.length);
    let k = 0;
    for (const row of chunk) for (const c of cols) params[k++] = row[c] ?? null;
    const res = await db.executeQuery<R>(CompiledQuery.raw(text(spec, chunk.length, true), params));
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
  if (isSqlite(db) || todo.length < 2) {
    for (const p of todo) await insertRows(db, p.spec, p.rows);
    return;
  }
  const params: unknown[] = [];
  const ctes = todo.map((p, i) => {
    const t = pgStatement(p.spec, params.length + 1);
    pushColumns(params, p.spec, p.rows);
    return `w${i} as (${t})`;
  });
  await db.executeQuery(CompiledQuery.raw(`${PREPARED}with ${ctes.join(', ')} select 1`, params));
}

/**
 * An InsertPart's rows as one row-major array of values in the spec's column order (undefined
 * stored as null): what a worker thread hands over (a structured clone of primitives costs half
 * that of the row objects, measured on steward demo's days) and what SQLite binds as it is.
 */
export interface FlatPart {
  spec: InsertSpec;
  values: unknown[];
}

export function flatPart({ spec, rows }: InsertPart): FlatPart {
  const cols = spec.columns;
  const values = new Array<unknown>(rows.length * cols.length);
  let k = 0;
  for (const row of rows) for (const c of cols) values[k++] = row[c] ?? null;
  return { spec, values };
}

/** insertMany of flat parts: SQLite binds slices of the arrays; PostgreSQL gets the rows back. */
export async function insertManyFlat(db: DbOrTrx, parts: readonly FlatPart[]): Promise<void> {
  if (!isSqlite(db)) {
    await insertMany(db, parts.map(rowsOf));
    return;
  }
  for (const { spec, values } of parts) {
    const cols = spec.columns.length;
    let at = 0;
    for (const n of chunkSizes(values.length / cols, cols)) {
      const params = values.slice(at, at + n * cols);
      at += n * cols;
      await db.executeQuery(CompiledQuery.raw(text(spec, n, true), params));
    }
  }
}

function rowsOf({ spec, values }: FlatPart): InsertPart {
  const cols = spec.columns;
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < values.length; ) {
    const row: Record<string, unknown> = {};
    for (const c of cols) row[c] = values[k++];
    rows.push(row);
  }
  return { spec, rows };
}

/** A compare-and-set UPDATE of one row: `set` where every column of `where` has its value. */
export interface GuardUpdate {
  table: string;
  set: Record<string, unknown>;
  where: Record<string, unknown>;
}

/**
 * insertMany behind a compare-and-set: `guard` runs first; the `guarded` parts are inserted only if
 * it updated its row, the `always` parts in any case. Returns whether the guard updated. On
 * PostgreSQL one statement (the guard a data-modifying WITH query the guarded inserts depend on).
 */
export async function insertManyIf(
  db: DbOrTrx,
  guard: GuardUpdate,
  guarded: readonly InsertPart[],
  always: readonly InsertPart[] = [],
): Promise<boolean> {
  const setCols = Object.keys(guard.set);
  const whereCols = Object.keys(guard.where);
  const params: unknown[] = [...setCols.map((c) => guard.set[c]), ...whereCols.map((c) => guard.where[c])];
  if (isSqlite(db)) {
    const set = setCols.map((c) => `${q(c)} = ?`).join(', ');
    const where = whereCols.map((c) => `${q(c)} = ?`).join(' and ');
    const update = `update ${q(guard.table)} set ${set} where ${where} returning 1 as "ok"`;
    const ok = (await db.executeQuery(CompiledQuery.raw(update, params))).rows.length > 0;
    await insertMany(db, ok ? [...always, ...guarded] : always);
    return ok;
  }
  let n = 0;
  const update =
    `update ${q(guard.table)} set ${setCols.map((c) => `${q(c)} = $${++n}`).join(', ')}` +
    ` where ${whereCols.map((c) => `${q(c)} = $${++n}`).join(' and ')} returning 1 as "ok"`;
  const ctes = [`g as (${update})`];
  const add = (p: InsertPart, where: string) => {
    if (!p.rows.length) return;
    ctes.push(`w${ctes.length} as (${pgStatement(p.spec, params.length + 1, where)})`);
    pushColumns(params, p.spec, p.rows);
  };
  for (const p of always) add(p, '');
  for (const p of guarded) add(p, ' where exists (select 1 from g)');
  const res = await db.executeQuery<{ n: unknown }>(
    CompiledQuery.raw(`${PREPARED}with ${ctes.join(', ')} select count(*) as "n" from g`, params),
  );
  return Number(res.rows[0]?.n) > 0;
}

/**
 * Like insertMany, for inserts whose RETURNING rows are needed: one array per part (RETURNING
 * values as the driver gives them; on PostgreSQL as text). On PostgreSQL the RETURNING rows of all
 * parts come back from one statement (UNION ALL, tagged by part). A part whose spec has no
 * RETURNING is inserted in the same statement and yields an empty array.
 */
export async function insertManyReturning<R = Record<string, unknown>>(
  db: DbOrTrx,
  parts: readonly InsertPart[],
): Promise<R[][]> {
  if (isSqlite(db) || parts.filter((p) => p.rows.length).length < 2) {
    const out: R[][] = [];
    for (const p of parts) {
      let rows = p.rows;
      const only = p.onlyIfReturned;
      if (only) {
        const returned = new Set(
          out[only.part]!.map((r) =>
            only.match.map(([, c]) => String((r as Record<string, unknown>)[c])).join('\u0000'),
          ),
        );
        const seen = new Set<string>();
        rows = rows.filter((row) => {
          if (!returned.has(only.match.map(([f]) => String(row[f])).join('\u0000'))) return false;
          // Rows alike in every inserted column are one insert (PostgreSQL's ON CONFLICT DO NOTHING
          // skips repeats the same way).
          const k = p.spec.columns.map((c) => String(row[c] ?? '')).join('\u0000');
          return seen.has(k) ? false : (seen.add(k), true);
        });
      }
      out.push(await insertRows<R>(db, p.spec, rows));
    }
    return out;
  }
  const params: unknown[] = [];
  const ctes: string[] = [];
  const selects: string[] = [];
  const width = Math.max(...parts.map((p) => p.spec.returning?.length ?? 0));
  parts.forEach((p, i) => {
    if (!p.rows.length || (p.onlyIfReturned && !parts[p.onlyIfReturned.part]!.rows.length)) return;
    const ret = p.spec.returning ?? [];
    const returning = ret.length ? ` returning ${ret.map(q).join(', ')}` : '';
    if (p.onlyIfReturned) {
      const { part, match } = p.onlyIfReturned;
      const extra = match.map(([f]) => f).filter((f) => !p.spec.columns.includes(f));
      const all = [...p.spec.columns, ...extra];
      const arrays = all.map((c, n) => `$${params.length + 1 + n}::${pgType(c)}[]`);
      const alias = all.map((_, n) => `c${n}`);
      const ref = (f: string) => `u.c${all.indexOf(f)}`;
      ctes.push(
        `w${i} as (insert into ${q(p.spec.table)} (${p.spec.columns.map(q).join(', ')})` +
          ` select ${p.spec.columns.map((_, n) => `u.c${n}`).join(', ')}` +
          ` from unnest(${arrays.join(', ')}) as u(${alias.join(', ')})` +
          ` where (${match.map(([f]) => ref(f)).join(', ')})` +
          ` in (select ${match.map(([, c]) => q(c)).join(', ')} from w${part})` +
          `${p.spec.onConflict ? ` ${p.spec.onConflict}` : ''}${returning})`,
      );
      pushColumns(params, { ...p.spec, columns: all }, p.rows);
    } else {
      ctes.push(`w${i} as (${pgStatement(p.spec, params.length + 1)}${returning})`);
      pushColumns(params, p.spec, p.rows);
    }
    if (ret.length) {
      const cols = Array.from(
        { length: width },
        (_, n) => `${n < ret.length ? `${q(ret[n])}::text` : 'null::text'} as "c${n}"`,
      );
      selects.push(`select ${i} as "p", ${cols.join(', ')} from w${i}`);
    }
  });
  if (!selects.length) selects.push('select 0 as "p" where false');
  const res = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`${PREPARED}with ${ctes.join(', ')} ${selects.join(' union all ')}`, params),
  );
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
// Counters saturate at ROLLUP_COUNTER_MAX (decisions/0012): `old > MAX - new` never overflows
// (new >= 0), where `old + new` could fail on PostgreSQL or turn into a float on SQLite.
export function conflictAddCounters(table: string, keys: readonly string[], counters: readonly string[]): string {
  const max = BigInt(ROLLUP_COUNTER_MAX).toString();
  const add = (c: string) =>
    `${q(c)} = case when ${q(table)}.${q(c)} > ${max} - excluded.${q(c)} ` +
    `then ${max} else ${q(table)}.${q(c)} + excluded.${q(c)} end`;
  return `on conflict (${keys.map(q).join(', ')}) do update set ${counters.map(add).join(', ')}`;
}

// The few places where SQLite and PostgreSQL differ, kept in one file. Shared code never asks
// which database it runs on; it calls these helpers.
import { SqliteAdapter, sql, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';

export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

// PostgreSQL keeps record content in partitions by event type and day of event time, which carry
// the partition key in their rows and retention drops whole (decisions/0045); SQLite keeps one
// table and deletes rows.
export function partitionsByTime(db: Kysely<any>): boolean {
  return !isSqlite(db);
}

// Rollup and set tables are read by primary-key ranges. On SQLite a WITHOUT ROWID table is stored
// in primary-key order, so a page is one sequential read instead of an index walk plus a row
// lookup per row (measured: bench/usage.bench.ts). PostgreSQL has no such table kind.
export function clusteredByPrimaryKey<T extends string, C extends string>(
  db: Kysely<any>,
  t: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C> {
  return isSqlite(db) ? t.modifyEnd(sql`without rowid`) : t;
}

// Fresh planner statistics for tables a job has just rewritten (decisions/0066): PostgreSQL's
// autovacuum analyzes them only after enough rows changed and a while later, and until then plans
// on the old statistics, in which the new rows' key (a new day) does not exist. SQLite keeps no
// statistics unless asked (no sqlite_stat1), so its plans do not change with the data: nothing to do.
// `reclaim` (decisions/0070): also VACUUM, for tables whose every row the job has just replaced.
// The replaced rows stay on PostgreSQL's heap as dead tuples until a vacuum; where autovacuum is
// off or behind, each rewrite grows the table by its whole size and every sequential read of it
// scans the dead pages too. A vacuum makes their space reusable by the next rewrite and marks the
// pages all-visible. Not inside a transaction (PostgreSQL refuses VACUUM there).
export async function refreshStatistics(
  db: Kysely<any>,
  tables: string[],
  { reclaim = false }: { reclaim?: boolean } = {},
): Promise<void> {
  if (tables.length === 0 || isSqlite(db)) return;
  const list = sql.join(tables.map((t) => sql.table(t)));
  await (reclaim ? sql`vacuum (analyze) ${list}` : sql`analyze ${list}`).execute(db);
}

// Serializes transactions that touch the same keys (e.g. the threads a batch reconciles): on
// PostgreSQL a transaction-scoped advisory lock per key, taken in sorted order so that concurrent
// nodes never deadlock; SQLite allows one writer at a time anyway.
export async function lockKeysForTransaction(db: Kysely<any>, keys: string[]): Promise<void> {
  if (keys.length === 0 || isSqlite(db)) return;
  const sorted = [...new Set(keys)].sort();
  await sql`select pg_advisory_xact_lock(hashtextextended(s.k, 0))
    from (select k from unnest(${sorted}::text[]) as k order by k) as s`.execute(db);
}

// A readers-writer lock per key for the rest of the transaction: many holders of the shared one at
// once, the exclusive one alone (e.g. ingest adding late events to a base that a job rebuilds).
// PostgreSQL: transaction-scoped advisory locks, keys in sorted order; SQLite: one writer anyway.
export async function lockKeysShared(db: Kysely<any>, keys: string[], exclusive = false): Promise<void> {
  if (keys.length === 0 || isSqlite(db)) return;
  const sorted = [...new Set(keys)].sort();
  const fn = sql.raw(exclusive ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared');
  await sql`select ${fn}(hashtextextended(s.k, 0))
    from (select k from unnest(${sorted}::text[]) as k order by k) as s`.execute(db);
}

// Long sequential reads (verify, export) on SQLite go ~15% faster through mmap than through read()
// calls (measured: bench/compliance.bench.ts). Per connection; PostgreSQL has nothing to set.
export async function preferMappedReads(db: Kysely<any>, bytes = 1 << 30): Promise<void> {
  if (isSqlite(db)) await sql.raw(`pragma mmap_size = ${Math.floor(bytes)}`).execute(db);
}

// Bulk jobs on the embedded store (steward import) trade SQLite's page cache for a smaller
// footprint: the connection's cache is set to `kib` KiB. PostgreSQL keeps its own memory.
export async function limitCacheForBulk(db: Kysely<any>, kib: number): Promise<void> {
  if (isSqlite(db)) await sql.raw(`pragma cache_size = -${Math.max(1024, Math.floor(kib))}`).execute(db);
}

// Copies SQLite's write-ahead log into the database file. PASSIVE copies what it can without waiting
// for readers or writers; RESTART then takes the writer lock to copy the rest, and waits for the
// readers of the old log so that the next writer starts it from its beginning. Under a steady
// stream of writes PASSIVE alone never catches up with the end of the log, which then only grows.
// While RESTART waits, writers wait too: `maxWaitMs` bounds each wait (the connection's busy
// timeout, restored after), so a long read (an export) costs the writers that much at most and
// the checkpoint fails with SQLITE_BUSY. PostgreSQL checkpoints by itself.
export async function walCheckpoint(
  db: Kysely<any>,
  mode: 'PASSIVE' | 'RESTART' = 'PASSIVE',
  maxWaitMs?: number,
): Promise<void> {
  if (!isSqlite(db)) return;
  const checkpoint = async (conn: Kysely<any>) => {
    const r = await sql.raw<{ busy: number }>(`pragma wal_checkpoint(${mode})`).execute(conn);
    // PASSIVE stops short of readers and writers by design; RESTART not getting through is a failure.
    if (mode === 'RESTART' && r.rows[0]?.busy) {
      const within = maxWaitMs === undefined ? '' : ` in ${maxWaitMs} ms`;
      const err = new Error(`wal_checkpoint(RESTART) could not get through${within}`);
      throw Object.assign(err, { code: 'SQLITE_BUSY' });
    }
  };
  await (maxWaitMs === undefined ? checkpoint(db) : withBusyTimeout(db, maxWaitMs, checkpoint));
}

// better-sqlite3 waits for SQLite's write lock synchronously, stopping the whole event loop for up
// to the busy timeout; a write that may be skipped (a key's last use) runs on one connection that
// does not wait (SQLITE_BUSY at once) and the caller tries again later. PostgreSQL waits without
// blocking anything: there `fn` runs as it is.
export async function withoutLockWait<D extends Kysely<any>, T>(db: D, fn: (conn: D) => Promise<T>): Promise<T> {
  return isSqlite(db) ? withBusyTimeout(db, 0, fn) : fn(db);
}

// `fn` on one SQLite connection whose busy timeout is `ms` meanwhile (restored after): no other
// query of the process runs on that connection with the changed timeout.
async function withBusyTimeout<D extends Kysely<any>, T>(db: D, ms: number, fn: (conn: D) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    const before = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn)).rows[0]?.timeout ?? 0;
    await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.floor(ms))}`).execute(conn);
    try {
      return await fn(conn as D);
    } finally {
      await sql.raw(`pragma busy_timeout = ${before}`).execute(conn);
    }
  });
}

// `text` anywhere in a column, ignoring case (the LIKE wildcards in it taken literally). ILIKE on
// PostgreSQL, which a pg_trgm index serves; SQLite's LIKE ignores ASCII case by itself.
export function containsIgnoringCase(db: Kysely<any>, column: RawBuilder<unknown>, text: string): RawBuilder<boolean> {
  const pattern = '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  return isSqlite(db)
    ? sql<boolean>`${column} like ${pattern} escape '\\'`
    : sql<boolean>`${column} ilike ${pattern} escape '\\'`;
}

// `fn` with PostgreSQL's parallel workers off on its connection (restored after), for statements
// of a few thousand rows that a cost model would still hand to workers: starting them cost more
// than they saved on a busy machine (decisions/0066: the model-filtered ranking 46 → 29 ms median).
// SQLite runs every statement on one thread anyway.
export async function withoutParallelWorkers<D extends Kysely<any>, T>(db: D, fn: (conn: D) => Promise<T>): Promise<T> {
  if (isSqlite(db)) return fn(db);
  return db.connection().execute(async (conn) => {
    const reset = () => sql`reset max_parallel_workers_per_gather`.execute(conn);
    await sql`set max_parallel_workers_per_gather = 0`.execute(conn);
    let out: T;
    try {
      out = await fn(conn as D);
    } catch (err) {
      // The statement's error is the one to report, not a reset on a connection that broke with it.
      await reset().catch(() => undefined);
      throw err;
    }
    await reset();
    return out;
  });
}

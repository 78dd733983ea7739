// The only module that opens database drivers. Everything else receives a Kysely `Db`.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  sql,
  SqliteDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type Transaction,
} from 'kysely';
import { readReplica, type ReadReplica } from './read-replica.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbOrTrx = Db | Trx;
export type DialectName = 'sqlite' | 'postgres';

export interface StoreOptions {
  databaseUrl?: string; // postgres://...
  databaseReadUrl?: string; // a streaming replica of databaseUrl, for the reads that may lag (0040)
  // The replica: how long a connection attempt may take, and how long reads stay on the primary
  // after it could not be reached before it is tried again (0051).
  readConnectTimeoutMs?: number;
  readRetryMs?: number;
  dataDir?: string; // for the embedded SQLite file
  sqliteFile?: string; // explicit file (tests, benchmarks)
  pgSchema?: string; // tests run in a fresh schema per run
  poolSize?: number;
  // SQLite: pages of WAL after which a commit checkpoints (default 10000; 0 = never, another
  // connection checkpoints: see ingest/writer/ingest-writer.thread.ts).
  walAutocheckpoint?: number;
  // SQLite: NORMAL (default) keeps acknowledged commits through a process kill, FULL also through a
  // power loss, at a cost per commit (config sqlite_synchronous, decisions/0013).
  sqliteSynchronous?: 'normal' | 'full';
}

export interface Store {
  db: Db;
  /**
   * Where reads that may lag go (the Analytics API): the replica if one is configured (a connection
   * it cannot open comes from the primary instead), else db.
   */
  read: Db;
  /** The replica behind `read`: where the next read goes, its lag, its state (decisions/0040, 0051). */
  replica?: ReadReplica;
  dialect: DialectName;
  describe: string;
  close(): Promise<void>;
  options?: StoreOptions; // how it was opened: lets a worker thread open the same store
}

// PostgreSQL returns BIGINT and NUMERIC (sum of bigint) as strings; every number we store fits a
// double up to 2^53, so parse them as numbers and keep the query code dialect-free.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

// The pg pool behind a Kysely instance, for the few bulk reads that stream COPY output instead of
// building row objects (platform/storage/pg-copy.ts). Transactions and SQLite have none.
const pgPools = new WeakMap<object, pg.Pool>();
export function pgPoolOf(db: DbOrTrx): pg.Pool | undefined {
  return pgPools.get(db);
}

// The better-sqlite3 handle behind a Kysely instance, for the few bulk reads that take rows as
// arrays instead of objects (platform/storage/sqlite-rows.ts). Transactions and PostgreSQL have none.
const sqliteHandles = new WeakMap<object, SQLite.Database>();
export function sqliteHandleOf(db: DbOrTrx): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

/** The embedded store's file in a data directory. */
export const sqliteFileOf = (dataDir = '.steward'): string => path.join(dataDir, 'steward.db');

export function openStore(opts: StoreOptions): Store {
  if (opts.databaseUrl) {
    const open = (url: string, max: number, extra: pg.PoolConfig = {}) => {
      const pool = new pg.Pool({
        connectionString: url,
        max,
        ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
        ...extra,
      });
      // An idle connection whose server went away (a restart, a failover) is dropped by pg-pool,
      // which then emits 'error' on the pool: without a listener that is an uncaught exception
      // that ends the process. The next query opens a new connection or fails as a storage error.
      pool.on('error', () => undefined);
      const prepared = preparingPool(pool);
      // Kysely ends the pool only if it ran a query itself; COPY reads (pg-copy.ts) may be all a
      // worker thread did.
      const close = async () => {
        if (!pool.ending) await pool.end();
      };
      return { pool, prepared, close };
    };
    const kysely = (pool: PostgresPool) => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const primary = open(opts.databaseUrl, opts.poolSize ?? 10);
    const db = kysely(primary.prepared);
    pgPools.set(db, primary.pool);
    let read = db;
    let replica: ReturnType<typeof readReplica> | undefined;
    let replicaPools: ReturnType<typeof open> | undefined;
    if (opts.databaseReadUrl) {
      const timeoutMs = opts.readConnectTimeoutMs ?? 2000;
      replicaPools = open(opts.databaseReadUrl, opts.poolSize ?? 10, { connectionTimeoutMillis: timeoutMs });
      replica = readReplica(replicaPools.pool, replicaPools.prepared, primary.prepared, {
        retryMs: opts.readRetryMs ?? 5000,
        probeTimeoutMs: timeoutMs,
      });
      read = kysely(replica.pool);
    }
    const safe = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    return {
      db,
      read,
      ...(replica ? { replica: replica.replica } : {}),
      dialect: 'postgres',
      describe:
        safe(opts.databaseUrl) +
        (opts.pgSchema ? ` (schema ${opts.pgSchema})` : '') +
        (opts.databaseReadUrl ? `, reads from ${safe(opts.databaseReadUrl)}` : ''),
      close: async () => {
        // The read Kysely's pool ends nothing itself: each pg pool is ended once, here.
        if (read !== db) await read.destroy();
        await db.destroy();
        await primary.close();
        await replicaPools?.close();
      },
      options: opts,
    };
  }
  const file = opts.sqliteFile ?? sqliteFileOf(opts.dataDir);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // Admin commands run against the same file while `serve` writes: wait rather than fail.
  sqlite.pragma('busy_timeout = 5000');
  // Rollup upserts touch many B-tree pages per batch; the 2 MiB default cache made SQLite re-read them.
  sqlite.pragma('cache_size = -65536');
  // Checkpoint the WAL every ~40 MB instead of every 4 MB: a page rewritten by many commits is copied
  // into the database once per checkpoint (measured: commit time -33 % on the ingest profile).
  sqlite.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.walAutocheckpoint ?? 10000))}`);
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  sqliteHandles.set(db, sqlite);
  return {
    db,
    read: db,
    dialect: 'sqlite',
    describe: path.resolve(file),
    close: () => db.destroy(),
    options: opts,
  };
}

// The ingest's bulk inserts (bulk-insert.ts) have texts that do not depend on the row count; they
// start with PREPARED and go as named statements: PostgreSQL parses and plans each once per
// connection instead of per call (parsing and planning were ~40 % of its CPU on the ingest bench).
// Names come from this store's table of at most MAX_NAMED texts; beyond that, unnamed as before.
// Kysely is given this pool in front of pg's: the clients it hands out send marked texts by name.
export const PREPARED = '/* prepared */ ';
const MAX_NAMED = 500;
function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) names.set(text, (name = `stw_${names.size}`));
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      // A checked-out client whose connection breaks (reset mid-query) emits 'error' besides failing
      // the query; pg-pool listens only while a client is idle, and an unheard 'error' would end the
      // process. The broken client is released with its error, so the pool discards it.
      let broken: Error | undefined;
      const onError = (err: Error) => (broken = err);
      client.on('error', onError);
      const query = (text: string, values: readonly unknown[]) => {
        const name = text.startsWith(PREPARED) ? nameOf(text) : undefined;
        return name === undefined
          ? client.query(text, values as unknown[])
          : client.query({ name, text, values: values as unknown[] });
      };
      const release = () => {
        client.removeListener('error', onError);
        client.release(broken);
      };
      return { query, release } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

// Kysely prepares every query anew; with better-sqlite3 preparing costs more than running a small
// insert. Ingest repeats the same few statements, so keep prepared statements by SQL text
// (bounded; statements are only ever used under Kysely's single-connection lock).
function withStatementCache(sqlite: SQLite.Database, max = 1000) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SQLite.Statement {
      let st = cache.get(text);
      if (!st) {
        // Kysely's SQLite driver begins every transaction with a plain (deferred) "begin", which takes
        // the write lock at the first write. A transaction that read first cannot wait for it then
        // (SQLite skips the busy handler once a read snapshot is held): beside another connection
        // writing (serve's ingest thread, an admin command) it failed at once with "database is
        // locked". Every transaction steward runs writes, so each takes the lock at BEGIN, waiting
        // up to the busy timeout (test/storage/sqlite-write-lock.db.test.ts).
        st = sqlite.prepare(text === 'begin' ? 'begin immediate' : text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, st);
      }
      return st;
    },
  };
}

/** One round trip to the database (readiness checks). */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

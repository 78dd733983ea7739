// Bulk reads on SQLite with rows as arrays (better-sqlite3's raw mode). The driver builds a row
// object by setting each column as a property through V8's API, which cost about half of verify's
// time on SQLite; arrays of the same values, turned into objects of one fixed shape in JavaScript,
// take half as long (measured: bench/compliance.bench.ts, 200,000 chain rows 620 -> 350 ms). The
// PostgreSQL counterpart is pg-copy.ts.
import type SQLite from 'better-sqlite3';
import type { Db, DbOrTrx } from './database.js';
import { sqliteHandleOf } from './database.js';

export interface ArrayReader {
  // Every row of the statement, each as an array of its columns in select order.
  all(text: string, params: unknown[]): Promise<unknown[][]>;
}

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

// null on PostgreSQL and inside transactions: callers use their Kysely path there.
export function arrayReader(db: DbOrTrx): ArrayReader | null {
  const handle = sqliteHandleOf(db);
  if (!handle) return null;
  let cache = statements.get(handle);
  if (!cache) statements.set(handle, (cache = new Map()));
  const prepared = (text: string) => {
    let st = cache.get(text);
    if (!st) cache.set(text, (st = handle.prepare(text).raw(true)));
    return st;
  };
  return {
    // Holds Kysely's connection lock for the read, so it never runs inside someone else's open
    // transaction on this connection (it would see that transaction's uncommitted writes).
    all: (text, params) => (db as Db).connection().execute(async () => prepared(text).all(...params) as unknown[][]),
  };
}

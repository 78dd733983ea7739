// The few places where SQLite and PostgreSQL differ, kept in one file. Shared code never asks
// which database it runs on; it calls these helpers.
import { SqliteAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

// Rollup and set tables are read by primary-key ranges. On SQLite a WITHOUT ROWID table is stored
// in primary-key order, so a page is one sequential read instead of an index walk plus a row
// lookup per row (measured: bench/usage.bench.ts). PostgreSQL has no such table kind.
export function clusteredByPrimaryKey<T extends string, C extends string>(db: Kysely<any>, t: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> {
  return isSqlite(db) ? t.modifyEnd(sql`without rowid`) : t;
}

// Secondary indexes set aside while tables are filled from nothing, and built once after
// (decisions/0056): an index built from the finished table is one sort, where keeping it during the
// load is a B-tree insert per row at a random place. Only plain (non-unique, non-constraint)
// indexes: primary keys and unique indexes stay, so a duplicate still fails the load's insert.
// Each index comes back from its own definition, as the database stored it.
import { sql } from 'kysely';
import type { DbOrTrx } from './database.js';
import { isSqlite } from './dialect.js';

export interface IndexDefinition {
  name: string;
  /** The statement that makes it again (SQLite's sqlite_master.sql, PostgreSQL's indexdef). */
  sql: string;
}

/** Whether none of `tables` holds a row (in any workspace): a load into them is from nothing. */
export async function tablesEmpty(db: DbOrTrx, tables: readonly string[]): Promise<boolean> {
  for (const t of tables) {
    const r = await sql<{ one: number }>`select 1 as one from ${sql.table(t)} limit 1`.execute(db);
    if (r.rows.length) return false;
  }
  return true;
}

/** The plain secondary indexes of `tables`, by name. */
export async function secondaryIndexes(db: DbOrTrx, tables: readonly string[]): Promise<IndexDefinition[]> {
  if (!tables.length) return [];
  const list = sql.join(tables.map((t) => sql.lit(t)));
  if (isSqlite(db)) {
    // Autoindexes (primary keys, unique constraints) have no sql.
    const r = await sql<IndexDefinition>`select name, sql from sqlite_master
      where type = 'index' and sql is not null and tbl_name in (${list})
        and lower(sql) not like 'create unique%' order by name`.execute(db);
    return r.rows;
  }
  const r = await sql<IndexDefinition>`select i.indexname as name, i.indexdef as sql from pg_indexes i
    join pg_class c on c.relname = i.indexname and c.relnamespace = current_schema()::regnamespace
    join pg_index x on x.indexrelid = c.oid
    where i.schemaname = current_schema() and i.tablename in (${list})
      and not x.indisunique and not x.indisprimary
      and not exists (select 1 from pg_constraint k where k.conindid = c.oid)
    order by i.indexname`.execute(db);
  return r.rows;
}

/** Drops `indexes` (secondaryIndexes of the tables about to be filled). */
export async function dropIndexes(db: DbOrTrx, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(db);
}

/** Builds `indexes` again from their definitions. */
export async function createIndexes(db: DbOrTrx, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const i of indexes) await sql.raw(i.sql).execute(db);
}

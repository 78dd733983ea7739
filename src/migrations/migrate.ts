import { Migrator, sql, type DatabaseIntrospector, type MigrationProvider, type TableMetadata } from 'kysely';
import type { Db } from '../platform/storage/database.js';
import { MIGRATIONS } from './index.js';

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Db): Promise<string[]> {
  return migrate(db);
}

/** Up to and including `name` only: for tests of a migration on the data that came before it. */
export async function migrateUpTo(db: Db, name: string): Promise<string[]> {
  return migrate(db, name);
}

async function migrate(db: Db, upTo?: string): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // Steward schemas in one PostgreSQL (tests, tenants) it would find another schema's table.
  const schema = await currentSchema(db);
  const migrator = new Migrator({
    db: schema ? withSchemaTables(db, schema) : db,
    provider,
    migrationTableName: 'steward_migrations',
    migrationLockTableName: 'steward_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(db: Db): Promise<string | undefined> {
  try {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    return r.rows[0]?.s ?? undefined;
  } catch {
    return undefined; // SQLite has no schemas
  }
}

// Kysely's PostgreSQL introspector reads every column of every table in every schema, calling
// pg_get_serial_sequence on each; a schema being migrated or dropped meanwhile (another node starting,
// another tenant, parallel test files) makes that catalog read fail ("column … does not exist", seen
// with two test files at once). The migrator only asks whether its two tables exist, so it gets a
// view of the tables of its own schema, read from information_schema, which takes no such locks.
function withSchemaTables(db: Db, schema: string): Db {
  const introspection: DatabaseIntrospector = {
    getSchemas: () => db.introspection.getSchemas(),
    getMetadata: async () => ({ tables: await tablesOf(db, schema) }),
    getTables: () => tablesOf(db, schema),
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function tablesOf(db: Db, schema: string): Promise<TableMetadata[]> {
  const r = await sql<{ name: string; kind: string }>`
    select table_name as name, table_type as kind from information_schema.tables
    where table_schema = ${schema}`.execute(db);
  return r.rows.map((t) => ({ name: t.name, schema, isView: t.kind === 'VIEW', columns: [] }));
}

import { Migrator, sql, type MigrationProvider } from 'kysely';
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
    db,
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

// Every storage test runs on both databases, for real: a SQLite file in a temp dir, and the
// machine's PostgreSQL in a fresh schema per store (dropped afterwards). STEWARD_TEST_DIALECTS=sqlite
// leaves PostgreSQL out (see dialects.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore, type DialectName, type Store } from '../../src/platform/storage/database.js';
import { migrateToLatest, migrateUpTo } from '../../src/migrations/migrate.js';
import { testDialects } from './dialects.js';

export const DIALECTS: DialectName[] = testDialects();
export const PG_URL = process.env.STEWARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore extends Store {
  // Options that open the same store again (e.g. for a CLI or a second server process).
  reopen: { databaseUrl?: string; sqliteFile?: string; pgSchema?: string; dataDir?: string };
  cleanup(): Promise<void>;
}

// upTo: only the migrations up to that one (a migration's own test); else all.
export async function makeStore(dialect: DialectName, upTo?: string): Promise<TestStore> {
  const migrate = (db: Store['db']) => (upTo ? migrateUpTo(db, upTo) : migrateToLatest(db));
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-test-'));
    const store = openStore({ dataDir: dir });
    await migrate(store.db);
    return {
      ...store,
      reopen: { dataDir: dir },
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = openStore({ databaseUrl: PG_URL, pgSchema: schema });
  await migrate(store.db);
  return {
    ...store,
    reopen: { databaseUrl: PG_URL, pgSchema: schema },
    cleanup: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

// A database URL that selects the schema, for child processes (CLI, serve) that take only a URL.
export function pgUrlWithSchema(schema: string): string {
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

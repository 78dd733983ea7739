// Bench stores: a SQLite file under bench/out and a fresh PostgreSQL schema (same as the tests use).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openStore, type Db, type DialectName, type Store } from '../../src/platform/storage/database.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';

export const PG_URL = process.env.STEWARD_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'out');

export async function benchStore(
  dialect: DialectName,
  name: string,
  fresh = true,
  sqlite: { synchronous?: 'normal' | 'full' } = {},
): Promise<Store & { reused: boolean }> {
  if (dialect === 'sqlite') {
    const file = path.join(OUT, `${name}.db`);
    fs.mkdirSync(OUT, { recursive: true });
    const exists = fs.existsSync(file);
    if (fresh) for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
    const store = openStore({ sqliteFile: file, sqliteSynchronous: sqlite.synchronous });
    await migrateToLatest(store.db);
    return { ...store, reused: exists && !fresh };
  }
  const schema = `bench_${name.replace(/\W/g, '_')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const exists =
    (await c.query('select 1 from information_schema.schemata where schema_name = $1', [schema])).rowCount! > 0;
  if (fresh) {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.query(`CREATE SCHEMA ${schema}`);
  }
  await c.end();
  const store = openStore({ databaseUrl: PG_URL, pgSchema: schema, poolSize: 4 });
  await migrateToLatest(store.db);
  return { ...store, reused: exists && !fresh };
}

/**
 * A reused store keeps its own today: this process's clock (the app runs in it) is moved back whole
 * days to the store's last day of usage, so a run after midnight still reads today's rows as the
 * run that generated the store did.
 */
export async function clockToStoreDay(db: Db, workspaceId: string, label: string): Promise<void> {
  const last = await db
    .selectFrom('usage_user_day')
    .select((eb) => eb.fn.max('bucket').as('day'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const behind = Math.floor(Date.now() / 86_400_000) - Number(last.day);
  if (!(behind > 0)) return;
  const clock = Date.now.bind(Date);
  Date.now = () => clock() - behind * 86_400_000;
  console.log(`[${label}] clock moved back ${behind} day(s) to the store's last day`);
}

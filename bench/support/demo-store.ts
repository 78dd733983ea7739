// A `steward demo` workspace kept under bench/out (generating one at 10,000 users × 90 days takes
// minutes), an owner password set on it, and `steward serve` started on it as its own process, as
// an operator runs it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import { setPassword } from '../../src/accounts/index.js';
import { buildWindows, windowAnchor } from '../../src/ingest/index.js';
import { dayOf } from '../../src/core/time.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { openStore, type DialectName } from '../../src/platform/storage/database.js';
import { OUT, PG_URL } from './stores.js';

const ROOT = path.join(OUT, '..', '..');
const BIN = path.join(ROOT, 'bin', 'steward.js');

export interface Demo {
  workspaceId: string;
  owner: string;
  users: number;
  events: number;
}

/** Where a kept demo lives: bench/out/NAME-sqlite, or the PostgreSQL schema bench_NAME. */
export interface DemoPlace {
  dialect: DialectName;
  name: string;
}
const dir = (p: DemoPlace) => path.join(OUT, `${p.name}-sqlite`);
const schema = (p: DemoPlace) => `bench_${p.name.replace(/\W/g, '_')}`;

function storeArgs(p: DemoPlace): string[] {
  if (p.dialect === 'sqlite') return ['--data', dir(p)];
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema(p)}`);
  return ['--database-url', url.toString()];
}

/** The demo workspace: the kept one with `reuse` (when there is one), else generated afresh. */
export async function demoStore(p: DemoPlace, reuse: boolean, users: number, days: number): Promise<Demo> {
  const summary = path.join(OUT, `${p.name}-${p.dialect}.json`);
  if (reuse && fs.existsSync(summary)) {
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    if (s.owner) return s;
  }
  if (p.dialect === 'sqlite') fs.rmSync(dir(p), { recursive: true, force: true });
  else {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema(p)} CASCADE`);
    await c.query(`CREATE SCHEMA ${schema(p)}`);
    await c.end();
  }
  fs.mkdirSync(OUT, { recursive: true });
  console.error(`generating the ${p.dialect} demo workspace (${users} users × ${days} days; minutes)…`);
  const r = spawnSync(
    process.execPath,
    [BIN, 'demo', ...storeArgs(p), '--users', String(users), '--days', String(days), '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`steward demo failed (${r.status})`);
  fs.writeFileSync(summary, r.stdout);
  return JSON.parse(r.stdout);
}

/**
 * The owner's password, and today's trailing-window base: a store kept from an earlier day has
 * only that day's, and until `serve`'s daily job builds today's (within a minute of its start) the
 * panels would read the day rollups, which is not what a running server answers.
 */
export async function setOwnerPassword(p: DemoPlace, demo: Demo, password: string): Promise<void> {
  const store =
    p.dialect === 'sqlite'
      ? openStore({ dataDir: dir(p) })
      : openStore({ databaseUrl: PG_URL, pgSchema: schema(p), poolSize: 1 });
  try {
    await migrateToLatest(store.db);
    await setPassword(store.db, demo.workspaceId, demo.owner, password, { type: 'cli', id: 'bench' });
    if ((await windowAnchor(store.db, demo.workspaceId)) !== dayOf(Date.now()))
      console.error("today's window base:", JSON.stringify(await buildWindows(store.db, demo.workspaceId)));
  } finally {
    await store.close();
  }
}

/** `steward serve` on the demo store, on a free port; resolves with its address once it listens. */
export async function serve(p: DemoPlace): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', ...storeArgs(p), '--port', '0', '--log-level', 'warn', '--json'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`steward serve exited (${code})`)));
    lines.on('line', (line) => {
      const m = /^\{.*"event":"listening"/.test(line) ? JSON.parse(line) : null;
      if (m) resolve(String(m.url).replace('[::1]', 'localhost'));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A bench that throws midway must not leave its server running.
  process.once('exit', () => child.kill('SIGTERM'));
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// Backups of the store (decisions/0038), taken while `steward serve` may be writing to it.
// SQLite: the online backup API (better-sqlite3's .backup()) copies the database as one consistent
// snapshot under a read transaction; in WAL mode the server's writers go on meanwhile. PostgreSQL:
// the database's own tools, pg_dump (custom format) and pg_restore, run as child processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export interface BackupSummary {
  file: string;
  bytes: number;
  /** Each workspace's chain head in the copy: `compliance verify` on a restore ends there. */
  heads: { workspace_id: string; seq: number }[];
}

function headsOf(file: string): BackupSummary['heads'] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const ok = db.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new Error(`${file}: quick_check says ${String(ok)}`);
    return db.prepare('select workspace_id, seq from compliance_heads order by workspace_id').all() as never;
  } finally {
    db.close();
  }
}

// Into `<to>.partial`, renamed when whole: a failed or interrupted copy never looks like a backup.
async function copySqlite(from: string, to: string): Promise<void> {
  if (fs.existsSync(to)) throw new Error(`${to} exists already; choose a new file`);
  fs.mkdirSync(path.dirname(path.resolve(to)), { recursive: true });
  const partial = `${to}.partial`;
  fs.rmSync(partial, { force: true });
  const src = new SQLite(from, { fileMustExist: true });
  try {
    // The first step copies 100 pages, the next all the rest at once: a write by another connection
    // between steps restarts the copy, and with the rest in one step it cannot happen again.
    await src.backup(partial, { progress: () => 2 ** 30 });
  } finally {
    src.close();
  }
  fs.renameSync(partial, to);
}

export async function backupSqlite(file: string, to: string): Promise<BackupSummary> {
  await copySqlite(file, to);
  return { file: to, bytes: fs.statSync(to).size, heads: headsOf(to) };
}

/** Restores a backup into a store file that does not exist yet. */
export async function restoreSqlite(from: string, file: string): Promise<BackupSummary> {
  for (const f of [file, `${file}-wal`])
    if (fs.existsSync(f)) throw new Error(`${f} exists already: restore into a new data directory`);
  headsOf(from); // a damaged backup is refused before anything is written
  await copySqlite(from, file);
  return { file, bytes: fs.statSync(file).size, heads: headsOf(file) };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) =>
      reject(new Error(`${cmd} could not be run (${e.message}): install the PostgreSQL client tools`)),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
  });
}

// The schema a Steward URL's `options=-c search_path=…` names, if any: only it is dumped then.
export function schemaOfUrl(url: string): string | undefined {
  const options = new URL(url).searchParams.get('options') ?? '';
  return /search_path\s*=\s*([A-Za-z0-9_]+)/.exec(options)?.[1];
}

// libpq decodes %20 in a URL's query but not '+', which URL serializers write for a space.
const forLibpq = (url: string) => {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at) + url.slice(at).replace(/\+/g, '%20');
};

export async function backupPostgres(url: string, to: string, schema = schemaOfUrl(url)): Promise<BackupSummary> {
  if (fs.existsSync(to)) throw new Error(`${to} exists already; choose a new file`);
  const partial = `${to}.partial`;
  await run('pg_dump', [
    '--format=custom',
    `--file=${partial}`,
    ...(schema ? [`--schema=${schema}`] : []),
    `--dbname=${forLibpq(url)}`,
  ]);
  fs.renameSync(partial, to);
  return { file: to, bytes: fs.statSync(to).size, heads: [] };
}

/** Restores a pg_dump into a database (or schema) that holds no Steward store yet. */
export async function restorePostgres(url: string, from: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const schema = schemaOfUrl(url);
    const there = await c.query(
      `select 1 from information_schema.tables where table_name = 'steward_migrations' and table_schema = $1`,
      [schema ?? 'public'],
    );
    if (there.rowCount) throw new Error('the target already holds a Steward store: restore into a new database');
    // A dump of one schema leaves out the extension its search index uses (migration 0035).
    await c.query('create extension if not exists pg_trgm with schema public');
  } finally {
    await c.end();
  }
  await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${forLibpq(url)}`, from]);
}

// A throwaway local store for the session-file commands (steward import / report / push / collect)
// run as real processes: SQLite in a temp --data dir, or PostgreSQL in a fresh schema.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PG_URL, STEWARD_JS, pgUrlWithSchema, type Dialect } from './steward.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface LocalStore {
  dialect: Dialect;
  root: string;
  storeArgs: string[];
  /** `steward <args>` with the store args appended; env has no STEWARD_* of ours. */
  run(
    args: string[],
    opts?: { env?: Record<string, string>; uid?: number; gid?: number; timeoutMs?: number },
  ): Promise<CliRun>;
  /** Same, with --json; parsed stdout; throws on a non-zero exit. */
  json<T = any>(args: string[], opts?: { env?: Record<string, string> }): Promise<T>;
  cleanup(): Promise<void>;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('STEWARD_') && k !== 'CODEX_HOME') env[k] = v;
  return { ...env, ...extra };
}

export function spawnSteward(args: string[], opts: SpawnOptions & { env: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [STEWARD_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

export function collectRun(p: ChildProcess, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function makeLocalStore(dialect: Dialect): Promise<LocalStore> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'steward-e2e-local-'));
  let schema: string | undefined;
  let storeArgs: string[];
  if (dialect === 'postgres') {
    schema = `steward_e2e_${crypto.randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    storeArgs = ['--database-url', pgUrlWithSchema(schema)];
  } else {
    storeArgs = ['--data', path.join(root, 'data')];
  }
  const self: LocalStore = {
    dialect,
    root,
    storeArgs,
    run(args, opts = {}) {
      const p = spawnSteward([...args, ...storeArgs], {
        cwd: root,
        env: cleanEnv(opts.env),
        ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
      });
      return collectRun(p, opts.timeoutMs);
    },
    async json(args, opts = {}) {
      const r = await self.run([...args, '--json'], opts);
      if (r.code !== 0)
        throw new Error(`steward ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    async cleanup() {
      if (schema) {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
      await rm(root, { recursive: true, force: true });
    },
  };
  return self;
}

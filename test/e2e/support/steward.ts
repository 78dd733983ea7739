// Run the real Steward server (`node bin/steward.js serve`, i.e. the compiled dist/) as a child
// process against a throwaway store: SQLite in a temp --data dir, or PostgreSQL in a fresh schema.
// The admin CLI runs as separate processes against the same store, as an operator would.
// Nothing here imports src/: the e2e tests see Steward only through its CLI, HTTP and exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testDialects } from '../../support/dialects.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const STEWARD_JS = path.join(REPO_ROOT, 'bin/steward.js');
export const PG_URL = process.env.STEWARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Dialect = 'sqlite' | 'postgres';
/** The databases to run on: both, or those in STEWARD_TEST_DIALECTS. */
export const DIALECTS: Dialect[] = testDialects();

/** The one JSON line `steward serve --json` prints on stdout. */
export interface ListeningBanner {
  event: 'listening';
  url: string;
  store: string;
  dialect: Dialect;
  workspace_id: string;
  owner_key: { id: string; secret: string } | null;
  /** A later start: an owner key exists (owner_key is shown only by the start that made it). */
  owner_key_exists: boolean;
  owner_key_made_at: string | null;
  /** How to make another admin key for the store. */
  owner_key_command: string;
}

export interface StartOptions {
  dialect: Dialect;
  /** Extra `serve` arguments (e.g. ['--host', '0.0.0.0']). --port defaults to 0. */
  serveArgs?: string[];
  /** Extra environment for serve and the CLI (applied over a STEWARD_*-free copy of ours). */
  env?: Record<string, string>;
  /** How long to wait for the banner. Default 20 s. */
  startTimeoutMs?: number;
  /**
   * PostgreSQL isolation: a fresh schema selected by `?options=-c search_path=...` (default), or a
   * fresh database. Env STEWARD_E2E_PG_ISOLATION=database switches the default.
   */
  pgIsolation?: 'schema' | 'database';
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Steward {
  readonly dialect: Dialect;
  /** `http://127.0.0.1:PORT` of the current process. Stable across restart() (same port). */
  readonly url: string;
  readonly workspaceId: string;
  /** Printed on the very first start only; kept here for the life of the store. */
  readonly ownerKey: { id: string; secret: string };
  /** The banner of the latest start (restart prints owner_key null). */
  readonly banner: ListeningBanner;
  /** Banners of every start, in order. */
  readonly banners: ListeningBanner[];
  /** Pid of the serve process (node itself, no wrapper shell). */
  readonly pid: number;
  readonly process: ChildProcess;
  /** `--data DIR` or `--database-url URL`: appended to every CLI call. */
  readonly storeArgs: string[];
  /** Everything the current serve process wrote to stderr (its logs). */
  stderr(): string;
  /** `steward <args> --json` against the same store; parsed stdout, throws on a non-zero exit. */
  cli<T = any>(args: string[]): Promise<T>;
  /** Same, without parsing or throwing (no --json added). */
  cliRaw(args: string[]): Promise<CliResult>;
  /** Authenticated fetch against the server with the owner key (or `key`). */
  fetch(pathname: string, init?: RequestInit & { key?: string }): Promise<Response>;
  /** SIGTERM and wait for exit; throws unless the process exits with code 0. */
  stop(opts?: { timeoutMs?: number }): Promise<ExitInfo>;
  /** Send a signal and resolve with how the process exited (no assertion). */
  kill(signal?: NodeJS.Signals, opts?: { timeoutMs?: number }): Promise<ExitInfo>;
  /** Start serve again on the same store (and port); returns the new banner. */
  start(): Promise<ListeningBanner>;
  /** stop() then start(). */
  restart(): Promise<ListeningBanner>;
  /** Stop (if running, by SIGKILL if it must), then delete the temp dir or drop the schema. */
  cleanup(): Promise<void>;
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Our own STEWARD_* settings must not leak into the child's configuration.
    if (v !== undefined && !k.startsWith('STEWARD_')) env[k] = v;
  }
  return { ...env, ...extra };
}

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function pgUrlWithSchema(schema: string): string {
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export function pgUrlWithDatabase(database: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Resident set size and its peak (VmHWM) of a Linux process, in bytes. */
export function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<ExitInfo & { timedOut: boolean }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, timedOut: false });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut });
    });
  });
}

export async function startSteward(opts: StartOptions): Promise<Steward> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'steward-e2e-srv-'));
  let schema: string | undefined;
  let database: string | undefined;
  let storeArgs: string[];
  if (opts.dialect === 'postgres') {
    const name = `steward_e2e_${crypto.randomBytes(6).toString('hex')}`;
    const isolation = opts.pgIsolation ?? (process.env.STEWARD_E2E_PG_ISOLATION === 'database' ? 'database' : 'schema');
    if (isolation === 'database') {
      database = name;
      await withPg((c) => c.query(`CREATE DATABASE ${database}`));
      storeArgs = ['--database-url', pgUrlWithDatabase(database)];
    } else {
      schema = name;
      await withPg((c) => c.query(`CREATE SCHEMA ${schema}`));
      storeArgs = ['--database-url', pgUrlWithSchema(schema)];
    }
  } else {
    storeArgs = ['--data', path.join(root, 'data')];
  }
  const env = cleanEnv(opts.env);
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;

  let child: ChildProcess | undefined;
  let stderrBuf = '';
  let port = '0';
  const banners: ListeningBanner[] = [];
  let ownerKey: { id: string; secret: string } | undefined;

  async function start(): Promise<ListeningBanner> {
    try {
      return await startOnce();
    } catch (e) {
      // The previous port was taken in the meantime: take any free one (url changes).
      if (port === '0' || !/EADDRINUSE/.test(String(e))) throw e;
      port = '0';
      return startOnce();
    }
  }

  async function startOnce(): Promise<ListeningBanner> {
    if (child && child.exitCode === null && child.signalCode === null)
      throw new Error('steward serve is already running');
    const userArgs = opts.serveArgs ?? [];
    const portArgs = userArgs.includes('--port') ? [] : ['--port', port];
    const proc = spawn(process.execPath, [STEWARD_JS, 'serve', ...storeArgs, ...portArgs, '--json', ...userArgs], {
      // A temp cwd, so no ./steward.toml or ./.steward of the developer's is picked up.
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    stderrBuf = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrBuf += d));
    const banner = await new Promise<ListeningBanner>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(
          new Error(
            `steward serve printed no banner within ${startTimeoutMs} ms\nstdout: ${out}\nstderr: ${stderrBuf}`,
          ),
        );
      }, startTimeoutMs);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(
          new Error(`steward serve exited (${code ?? signal}) before listening\nstdout: ${out}\nstderr: ${stderrBuf}`),
        );
      };
      // 'close', not 'exit': by then all of stderr has been read.
      proc.once('close', onExit);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        proc.off('close', onExit);
        try {
          resolve(JSON.parse(out.slice(0, nl)) as ListeningBanner);
        } catch (e) {
          proc.kill('SIGKILL');
          reject(new Error(`steward serve's first stdout line is not JSON: ${out.slice(0, nl)}`));
        }
      });
    });
    banners.push(banner);
    if (banner.owner_key) ownerKey ??= banner.owner_key;
    // Keep the port so that restarts don't invalidate URLs already handed out (e.g. to Codex).
    port = new URL(banner.url).port;
    return banner;
  }

  async function kill(signal: NodeJS.Signals = 'SIGTERM', o: { timeoutMs?: number } = {}): Promise<ExitInfo> {
    if (!child) throw new Error('steward serve was never started');
    const c = child;
    if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    const r = await waitExit(c, o.timeoutMs ?? 15_000);
    if (r.timedOut)
      throw new Error(
        `steward serve did not exit within ${o.timeoutMs ?? 15_000} ms of ${signal} (killed)\nstderr: ${stderrBuf.slice(-4000)}`,
      );
    return { code: r.code, signal: r.signal };
  }

  async function stop(o: { timeoutMs?: number } = {}): Promise<ExitInfo> {
    const r = await kill('SIGTERM', o);
    if (r.code !== 0)
      throw new Error(
        `steward serve exited with ${r.code ?? r.signal} on SIGTERM, expected 0\nstderr: ${stderrBuf.slice(-4000)}`,
      );
    return r;
  }

  function cliRaw(args: string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [STEWARD_JS, ...args, ...storeArgs], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function cli<T>(args: string[]): Promise<T> {
    const r = await cliRaw([...args, '--json']);
    if (r.code !== 0)
      throw new Error(`steward ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`steward ${args.join(' ')} --json printed non-JSON: ${r.stdout}`);
    }
  }

  let cleaned = false;
  async function cleanup(): Promise<void> {
    if (cleaned) return;
    cleaned = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
    if (schema) await withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    if (database) await withPg((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    await rm(root, { recursive: true, force: true });
  }

  try {
    await start();
  } catch (e) {
    await cleanup().catch(() => undefined);
    throw e;
  }
  if (!ownerKey) {
    await cleanup();
    throw new Error('first start of a fresh store printed no owner_key');
  }

  const self: Steward = {
    dialect: opts.dialect,
    get url() {
      return banners[banners.length - 1].url;
    },
    get workspaceId() {
      return banners[banners.length - 1].workspace_id;
    },
    ownerKey: ownerKey!,
    get banner() {
      return banners[banners.length - 1];
    },
    banners,
    get pid() {
      return child!.pid!;
    },
    get process() {
      return child!;
    },
    storeArgs,
    stderr: () => stderrBuf,
    cli,
    cliRaw,
    fetch(pathname, init = {}) {
      const { key, headers, ...rest } = init;
      return fetch(new URL(pathname, self.url), {
        ...rest,
        headers: {
          authorization: `Bearer ${key ?? self.ownerKey.secret}`,
          ...(headers as Record<string, string> | undefined),
        },
      });
    },
    stop,
    kill,
    start,
    async restart() {
      await stop();
      return start();
    },
    cleanup,
  };
  return self;
}

// Drive the real Codex CLI (the @openai/codex dev dependency) in an isolated
// CODEX_HOME, pointed at the loopback mock model and, optionally, an OTLP
// endpoint. Nothing here touches the developer's own ~/.codex.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The npm launcher; it execve()s the native binary, so signals reach Codex directly. */
export const CODEX_JS = path.join(REPO_ROOT, 'node_modules/@openai/codex/bin/codex.js');

/** Env var named by `env_key`; Codex sends its value as the bearer token to the mock. */
export const MOCK_KEY_ENV = 'STEWARD_E2E_MOCK_KEY';
export const DEFAULT_MODEL = 'gpt-5.5';

export interface OtelTarget {
  /** Full URL; Codex posts to it exactly as written, so include `/v1/logs`. */
  endpoint: string;
  headers?: Record<string, string>;
  protocol: 'json' | 'binary';
}

export interface CodexHomeOptions {
  /** Provider base_url, i.e. MockModel.url (`http://127.0.0.1:PORT/v1`). */
  mockUrl: string;
  /** Logs exporter; traces and metrics stay off so runs are fast and quiet. */
  otel?: OtelTarget;
  model?: string;
  /** Default true. False makes Codex send `[REDACTED]` in codex.user_prompt. */
  logUserPrompt?: boolean;
  /** `[otel] environment`, exported as the resource attribute `env`. */
  environment?: string;
  /** Make the work dir a git repo with one commit (fills session_meta.git). */
  git?: boolean;
  /** `[features]` overrides, merged over DEFAULT_FEATURES. */
  features?: Record<string, boolean>;
  /** Raw TOML appended to config.toml (top-level keys must come before tables, so use tables). */
  extraToml?: string;
  /** Top-level keys written before any table (e.g. `approvals_reviewer`), as raw TOML values. */
  topLevel?: Record<string, string>;
  /** Extra `[otel]` booleans, e.g. `log_agent_responses`, `log_guardian_assessments`. */
  otelFlags?: Record<string, boolean>;
}

export interface CodexHome {
  /** Temp root holding everything below; removed by cleanup(). */
  root: string;
  /** CODEX_HOME. */
  dir: string;
  /** A scratch project to pass as `-C`. */
  workDir: string;
  configPath: string;
  cleanup(): Promise<void>;
}

// The plugin feature syncs the curated marketplace from github.com and remote
// plugins from chatgpt.com at startup; off, a run makes no outbound attempts at all.
export const DEFAULT_FEATURES: Record<string, boolean> = { plugins: false };

const q = (s: string) => JSON.stringify(s); // JSON string escapes are valid TOML basic strings.

function inlineTable(obj: Record<string, string>): string {
  return `{ ${Object.entries(obj)
    .map(([k, v]) => `${q(k)} = ${q(v)}`)
    .join(', ')} }`;
}

export function renderConfigToml(opts: CodexHomeOptions): string {
  const model = opts.model ?? DEFAULT_MODEL;
  const lines = [
    `model = ${q(model)}`,
    `model_provider = "mock"`,
    // No self-update probe: it would try to reach the network.
    `check_for_update_on_startup = false`,
    ...Object.entries(opts.topLevel ?? {}).map(([k, v]) => `${k} = ${v}`),
    '',
    '[model_providers.mock]',
    'name = "Mock"',
    `base_url = ${q(opts.mockUrl)}`,
    `env_key = ${q(MOCK_KEY_ENV)}`,
    'wire_api = "responses"',
    // Fail fast: a retry would hide a mock bug and send extra (unrecorded-by-Codex) requests.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    // Client analytics only ever go to OpenAI; keep them off in tests.
    '[analytics]',
    'enabled = false',
    '',
    '[otel]',
    `environment = ${q(opts.environment ?? 'e2e')}`,
    `log_user_prompt = ${opts.logUserPrompt ?? true}`,
    ...Object.entries(opts.otelFlags ?? {}).map(([k, v]) => `${k} = ${v}`),
  ];
  if (opts.otel) {
    const http: string[] = [`endpoint = ${q(opts.otel.endpoint)}`, `protocol = ${q(opts.otel.protocol)}`];
    if (opts.otel.headers && Object.keys(opts.otel.headers).length)
      http.push(`headers = ${inlineTable(opts.otel.headers)}`);
    lines.push(`exporter = { otlp-http = { ${http.join(', ')} } }`);
  } else {
    lines.push('exporter = "none"');
  }
  // Metrics default to OpenAI's Statsig collector, so "none" must be explicit.
  lines.push('trace_exporter = "none"', 'metrics_exporter = "none"', '');
  lines.push('[features]');
  for (const [k, v] of Object.entries({ ...DEFAULT_FEATURES, ...opts.features })) lines.push(`${k} = ${v}`);
  lines.push('');
  if (opts.extraToml) lines.push(opts.extraToml, '');
  return lines.join('\n');
}

export async function makeCodexHome(opts: CodexHomeOptions): Promise<CodexHome> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'steward-e2e-'));
  const dir = path.join(root, 'codex-home');
  const workDir = path.join(root, 'work');
  await mkdir(dir, { recursive: true });
  await mkdir(workDir, { recursive: true });
  await mkdir(path.join(root, 'home'), { recursive: true });
  const configPath = path.join(dir, 'config.toml');
  await writeFile(configPath, renderConfigToml(opts));
  await writeFile(path.join(workDir, 'README.md'), '# e2e scratch project\n');
  if (opts.git) {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: workDir,
        stdio: 'ignore',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'e2e',
          GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
          GIT_COMMITTER_NAME: 'e2e',
          GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
        },
      });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
  }
  return { root, dir, workDir, configPath, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface RunCodexOptions {
  /** Process cwd. Defaults to home.workDir (pass `-C` too; exec uses it for the session cwd). */
  cwd?: string;
  /** Kill the process group after this long. Default 60 s. */
  timeoutMs?: number;
  /** Extra env vars (applied last). */
  env?: Record<string, string>;
  /** Another CLI's launcher (e.g. a newer release installed elsewhere); default CODEX_JS. */
  codexJs?: string;
}

export interface CodexRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

// A proxy nobody listens on: any non-loopback request Codex tries fails
// immediately instead of leaving the machine. Loopback bypasses it via NO_PROXY.
const DEAD_PROXY = 'http://127.0.0.1:9';

export function codexEnv(home: CodexHome, extra: Record<string, string> = {}): Record<string, string> {
  // Built from scratch so a developer's OPENAI_API_KEY, proxy or CODEX_* settings can't leak in.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(home.root, 'home'),
    TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    CODEX_HOME: home.dir,
    [MOCK_KEY_ENV]: 'e2e-mock-key',
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    ALL_PROXY: DEAD_PROXY,
    http_proxy: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    all_proxy: DEAD_PROXY,
    NO_PROXY: '127.0.0.1,localhost,::1',
    no_proxy: '127.0.0.1,localhost,::1',
    RUST_LOG: 'error',
  };
  return { ...env, ...extra };
}

/**
 * Run `codex <args>` to completion. Typical args:
 *   ['exec', '--skip-git-repo-check', '-C', home.workDir, 'prompt']
 *   ['exec', '--skip-git-repo-check', '-C', home.workDir, 'resume', '--last', 'prompt']
 */
export function runCodex(home: CodexHome, args: string[], opts: RunCodexOptions = {}): Promise<CodexRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.codexJs ?? CODEX_JS, ...args], {
      cwd: opts.cwd ?? home.workDir,
      env: codexEnv(home, opts.env),
      // exec reads extra prompt text from a non-tty stdin; give it EOF right away.
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout also kills the tool subprocesses Codex spawned.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

/** Shorthand for `codex exec --skip-git-repo-check -C <workDir> [resume --last] <prompt>`. */
export function execArgs(
  home: CodexHome,
  prompt: string,
  opts: { resumeLast?: boolean; extra?: string[] } = {},
): string[] {
  const base = ['exec', '--skip-git-repo-check', '-C', home.workDir, ...(opts.extra ?? [])];
  return opts.resumeLast ? [...base, 'resume', '--last', prompt] : [...base, prompt];
}

/** Rollout JSONL files under CODEX_HOME/sessions (recursive), sorted by path. */
export async function listRollouts(home: CodexHome): Promise<string[]> {
  const root = path.join(home.dir, 'sessions');
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true });
  return entries
    .filter((e) => /rollout-.*\.jsonl/.test(e))
    .map((e) => path.join(root, e))
    .sort();
}

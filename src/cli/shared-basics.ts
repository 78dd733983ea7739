// What every command shares that needs neither the configuration's schema (zod) nor a store: the
// store options, the configuration's inputs from them, output in text or --json, exit codes.
// shared.ts re-exports it all; `steward report` imports this module alone (decision 0068).
import { Option, type Command } from 'commander';
import type { Actor } from '../compliance/index.js';
import { ConfigError } from '../config/config-error.js';
import { clientEnv } from '../config/client.js';
import type { LoadOptions } from '../config/load.js';
import { StewardError } from '../core/errors.js';

export interface StoreFlags {
  data?: string;
  databaseUrl?: string;
  config?: string;
  json?: boolean;
}

export function withStoreOptions(cmd: Command, defaultData = './.steward'): Command {
  return cmd
    .addOption(new Option('--data <dir>', `data directory of the embedded store (default ${defaultData})`))
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL instead of the embedded store (env STEWARD_DATABASE_URL)'),
    )
    .addOption(
      new Option('--config <file>', 'steward.toml to read (default ./steward.toml if present; env STEWARD_CONFIG)'),
    )
    .option('--json', 'machine-readable output');
}

// A command's own store flags, so a command it prints reaches the same store; a password in the
// database URL is replaced by <password> (never printed).
export function storeFlags(flags: StoreFlags): string {
  const quote = (v: string) => (/^[\w./:@=?&-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const store = [flags.data && `--data ${quote(flags.data)}`, flags.config && `--config ${quote(flags.config)}`];
  if (flags.databaseUrl) store.push(`--database-url ${quote(withoutPassword(flags.databaseUrl))}`);
  return store.filter(Boolean).join(' ');
}

function withoutPassword(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.password) return raw;
    u.password = 'PASSWORD';
    return u.toString().replace(':PASSWORD@', ':<password>@');
  } catch {
    return '<the database URL given>';
  }
}

// What the configuration is loaded from: the store flags over a command's own defaults.
export function configOptions(
  flags: StoreFlags,
  extra: Record<string, unknown> = {},
  defaults: Record<string, unknown> = {},
): LoadOptions {
  return { configFile: flags.config, flags: { data: flags.data, database_url: flags.databaseUrl, ...extra }, defaults };
}

export function print(flags: { json?: boolean }, value: unknown, text: () => string): void {
  process.stdout.write(flags.json ? JSON.stringify(value) + '\n' : text() + '\n');
}

// Exit codes: 1 failure, 2 usage/validation, 3 configuration, 4 not found/conflict.
export function exitCodeFor(e: unknown): number {
  if (e instanceof ConfigError) return 3;
  if (e instanceof StewardError)
    return e.status === 422 || e.status === 400 ? 2 : e.status === 404 || e.status === 409 ? 4 : 1;
  return 1;
}

export function otelBlock(url: string, secret: string): string {
  return [
    '[otel]',
    'log_user_prompt = true',
    `exporter = { otlp-http = { endpoint = "${url}/v1/logs", protocol = "binary", ` +
      `headers = { authorization = "Bearer ${secret}" } } }`,
  ].join('\n');
}

// Changes made from the command line are audited as the operating-system account that ran them.
// Asked when a change is made, not at import: os.userInfo() throws for a uid without a passwd
// entry (containers), and clientEnv falls back for that case.
export function cliActor(): Actor {
  return { type: 'cli', id: clientEnv().osUser };
}

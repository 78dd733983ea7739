// With load-defaults.ts (the same without the schema when nothing is set), the only module that
// reads the environment and steward.toml. Precedence: flags > STEWARD_* environment > steward.toml >
// defaults. The result is validated and frozen.
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { configFileOf, deepFreeze, readConfigFile } from './load-defaults.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError };

type Plain = Record<string, unknown>;

// STEWARD_DATABASE_URL -> database_url; STEWARD_GITHUB_WEBHOOK_SECRET -> github.webhook_secret;
// STEWARD_COMPLIANCE_RETENTION_CODEX_LOG_DAYS -> compliance.retention.codex_log_days. The path is
// found by walking the schema (keys contain underscores, so the name alone is ambiguous); a name that
// leads to no key stays whole at the top level, where the schema rejects it by name.
function fromEnv(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('STEWARD_') || value === undefined) continue;
    const rest = name.slice('STEWARD_'.length).toLowerCase();
    if (rest === 'key' || rest === 'config') continue; // client-side variables, not server config
    const keys = envPath(configSchema, rest) ?? [rest];
    let obj = out;
    for (const k of keys.slice(0, -1)) obj = (obj[k] ??= {}) as Plain;
    const last = keys[keys.length - 1];
    obj[last] =
      last === 'bot_logins'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value;
  }
  return out;
}

// The object schema inside default/prefault/optional wrappers, if there is one.
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional)
    s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : undefined;
}

// The key path that a lower-cased environment name (without STEWARD_) denotes: at each level the
// longest key that the name starts with and that leads to a leaf.
function envPath(schema: z.ZodType, name: string): string[] | undefined {
  const shape = objectShape(schema);
  if (!shape) return undefined;
  const keys = Object.keys(shape).sort((a, b) => b.length - a.length);
  for (const k of keys) {
    if (name === k) return [k];
    if (!name.startsWith(k + '_')) continue;
    const below = envPath(shape[k], name.slice(k.length + 1));
    if (below) return [k, ...below];
  }
  return undefined;
}

function merge(a: Plain, b: Plain): Plain {
  const out: Plain = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object'
        ? merge(out[k] as Plain, v as Plain)
        : v;
  }
  return out;
}

export interface LoadOptions {
  configFile?: string;
  flags?: Plain;
  env?: NodeJS.ProcessEnv;
  // Below steward.toml: a command's own default (import and report keep a per-user store).
  defaults?: Plain;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = configFileOf(opts, env);
  let fileValues: Plain = {};
  if (file) {
    const text = readConfigFile(file);
    try {
      fileValues = parseToml(text) as Plain;
    } catch (e) {
      throw new ConfigError(`${file}: ${(e as Error).message}`);
    }
  }
  const merged = merge(merge(merge(opts.defaults ?? {}, fileValues), fromEnv(env)), opts.flags ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || '(root)';
    const unknown =
      issue.code === 'unrecognized_keys'
        ? `unknown key(s) ${(issue as { keys: string[] }).keys.join(', ')}`
        : issue.message;
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}: ${key}: ${unknown}`);
  }
  return deepFreeze(parsed.data);
}

// The configuration without the schema when there is nothing to validate: no steward.toml (or an
// empty one), no STEWARD_* variable, and no setting given but the data directory. Anything else is
// validated by load.ts, loaded only then. One rule for which file is read (both loaders use it).
import fs from 'node:fs';
import { ConfigError } from './config-error.js';
import { CONFIG_DEFAULTS } from './defaults.js';
import type { LoadOptions } from './load.js';
import type { Config } from './schema.js';

// Client-side variables, not server configuration: they never reach the schema.
const CLIENT_VARIABLES = new Set(['STEWARD_KEY', 'STEWARD_CONFIG']);

export function configFileOf(opts: LoadOptions, env: NodeJS.ProcessEnv): string | undefined {
  return opts.configFile ?? env.STEWARD_CONFIG ?? (fs.existsSync('steward.toml') ? 'steward.toml' : undefined);
}

export function readConfigFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
}

// The defaults with only `data` set, or undefined when the schema has something to check.
export function defaultsOnly(opts: LoadOptions): Config | undefined {
  const env = opts.env ?? process.env;
  for (const name of Object.keys(env))
    if (name.startsWith('STEWARD_') && env[name] !== undefined && !CLIENT_VARIABLES.has(name)) return undefined;
  let data = CONFIG_DEFAULTS.data;
  for (const values of [opts.defaults ?? {}, opts.flags ?? {}])
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      // The schema's rule for `data` (a non-empty string); any other key is the schema's to judge.
      if (k !== 'data' || typeof v !== 'string' || v === '') return undefined;
      data = v;
    }
  const file = configFileOf(opts, env);
  if (file !== undefined && readConfigFile(file).trim() !== '') return undefined;
  return deepFreeze({ ...structuredClone(CONFIG_DEFAULTS), data }) as Config;
}

// Validated with the schema only when needed (the module, with zod, is loaded then).
export async function loadConfigLazily(opts: LoadOptions): Promise<Config> {
  return defaultsOnly(opts) ?? (await import('./load.js')).loadConfig(opts);
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

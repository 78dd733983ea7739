// Options shared by `steward push` and `steward collect`: the server, the key, the sessions to send.
import { Option, type Command } from 'commander';
import { clientEnv } from '../config/client.js';
import { validationError } from '../core/errors.js';
import { defaultStatePath, readInstallationId, type PushOptions } from '../session-files/client/index.js';

export interface PushFlags {
  server?: string;
  key?: string;
  codexHome?: string;
  state?: string;
  idleSeconds?: string;
  maxRequestKb?: string;
  json?: boolean;
}

export function withPushOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--server <url>', 'the Steward server, e.g. https://steward.example.com')
    .addOption(
      new Option(
        '--key <key>',
        'an ingest key of yours (steward keys create --scope ingest.write --user EMAIL); env STEWARD_KEY',
      ),
    )
    .addOption(
      new Option(
        '--codex-home <dir>',
        'Codex home (env CODEX_HOME, default ~/.codex); sessions are read from its sessions/ folder',
      ),
    )
    .addOption(
      new Option(
        '--state <file>',
        'where to remember what the server has (default ~/.steward/push-<server hash>.json)',
      ),
    )
    .addOption(new Option('--idle-seconds <n>', 'a file unmodified this long is complete (default 60)'))
    .addOption(new Option('--max-request-kb <n>', 'upload at most about this much per request (default 4096)'))
    .option('--json', 'machine-readable output');
}

export async function pushOptions(flags: PushFlags, paths: string[]): Promise<PushOptions> {
  const env = clientEnv({ codexHome: flags.codexHome, key: flags.key });
  if (!env.stewardKey) throw validationError('key', 'no key: pass --key or set STEWARD_KEY');
  let server: URL;
  try {
    server = new URL(flags.server!);
  } catch {
    throw validationError('server', `"${flags.server}" is not a URL`);
  }
  const base = server.toString().replace(/\/+$/, '');
  const idle = flags.idleSeconds === undefined ? undefined : Number(flags.idleSeconds);
  if (idle !== undefined && !(idle >= 0)) throw validationError('idle-seconds', 'must be a number >= 0');
  const kb = flags.maxRequestKb === undefined ? undefined : Number(flags.maxRequestKb);
  if (kb !== undefined && !(kb >= 1)) throw validationError('max-request-kb', 'must be a number >= 1');
  return {
    server: base,
    maxRequestBytes: kb === undefined ? undefined : kb * 1024,
    key: env.stewardKey,
    paths: paths.length ? paths : [env.sessionsDir],
    statePath: flags.state ?? defaultStatePath(env.stateDir, base),
    host: env.hostName,
    installationId: await readInstallationId(env.codexHome),
    idleFinalMs: idle === undefined ? undefined : idle * 1000,
  };
}

// Options shared by the session-file commands (import, report): where Codex keeps its sessions and
// who owns them in the local store.
import { Option, type Command } from 'commander';
import { clientEnv, type ClientEnv } from '../config/client.js';
import { defaultLocalEmail } from '../session-files/client/index.js';

export interface SessionFlags {
  codexHome?: string;
  user?: string;
  idleSeconds?: string;
}

export function withSessionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--codex-home <dir>',
        'Codex home (env CODEX_HOME, default ~/.codex); sessions are read from its sessions/ folder',
      ),
    )
    .addOption(
      new Option(
        '--user <email>',
        'the local user the sessions belong to (created if missing; default <os user>@<host name>)',
      ),
    )
    .addOption(new Option('--idle-seconds <n>', 'a file unmodified this long is complete (default 60)'));
}

export function sessionEnv(flags: SessionFlags): { env: Readonly<ClientEnv>; email: string; idleFinalMs?: number } {
  const env = clientEnv({ codexHome: flags.codexHome });
  const idle = flags.idleSeconds === undefined ? undefined : Number(flags.idleSeconds);
  if (idle !== undefined && !(idle >= 0)) throw new Error('--idle-seconds must be a number >= 0');
  return {
    env,
    email: flags.user ?? defaultLocalEmail(env.osUser, env.hostName),
    idleFinalMs: idle === undefined ? undefined : idle * 1000,
  };
}

/** import's and report's store: the per-user one unless --data, the config or the environment names one. */
export const personalStoreDefaults = () => ({ data: clientEnv().personalStore });

export const noFilesNote = (roots: string[]) => `No session files found in ${roots.join(', ')}`;

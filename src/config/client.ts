// Client-side settings of the session-file commands (import, report, push, collect): where Codex
// keeps its files and which key to push with. Like load.ts, the only place these commands read the
// environment; flags given on the command line win.
import os from 'node:os';
import path from 'node:path';

export interface ClientEnv {
  codexHome: string; // $CODEX_HOME, default ~/.codex
  sessionsDir: string; // <codexHome>/sessions
  stewardKey?: string; // $STEWARD_KEY (steward push / collect)
  stateDir: string; // ~/.steward: the push/collect state files
  personalStore: string; // $XDG_DATA_HOME/steward, else ~/.steward: import/report's store (decisions/0021)
  osUser: string; // the operating-system account
  hostName: string;
}

export function clientEnv(
  flags: { codexHome?: string; key?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): Readonly<ClientEnv> {
  const home = env.HOME || os.homedir();
  const codexHome = path.resolve(flags.codexHome ?? env.CODEX_HOME ?? path.join(home, '.codex'));
  let osUser = env.USER || env.LOGNAME || '';
  if (!osUser) {
    try {
      osUser = os.userInfo().username;
    } catch {
      osUser = 'user';
    }
  }
  return Object.freeze({
    codexHome,
    sessionsDir: path.join(codexHome, 'sessions'),
    stewardKey: flags.key ?? (env.STEWARD_KEY || undefined),
    stateDir: path.join(home, '.steward'),
    personalStore: env.XDG_DATA_HOME ? path.join(env.XDG_DATA_HOME, 'steward') : path.join(home, '.steward'),
    osUser,
    hostName: os.hostname(),
  });
}

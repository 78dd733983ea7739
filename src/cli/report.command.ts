import type { Command } from 'commander';
import type { ReportKind } from '../session-files/client/index.js';
import type { ImportFlags } from './import.command.js';
import { withSessionOptions } from './session-options.js';
import { withStoreOptions } from './shared-basics.js';

export interface ReportFlags extends ImportFlags {
  since?: string;
  until?: string;
  timezone?: string;
  breakdown?: boolean;
  import?: boolean; // --no-import
  full?: boolean;
  allUsers?: boolean;
  csv?: boolean;
}

const PERSONAL_STORE = '$XDG_DATA_HOME/steward, else ~/.steward';
const KINDS: ReportKind[] = ['daily', 'weekly', 'monthly', 'session'];
const PERIOD_NAMES = { daily: 'day', weekly: 'ISO week (Monday)', monthly: 'month', session: 'thread' } as const;

// The two ways to report are loaded only when they run (decision 0041): reading the session files
// needs the parser and the summary cache, nothing of the store; --full, --no-import and --all-users
// open the store (and, with --full, load the import).
export function reportCommand(program: Command): void {
  const report = program
    .command('report')
    .description(
      'offline usage report of local Codex sessions (read directly; imported first with --full); ' +
        'tokens and cost as ccusage counts them',
    );
  for (const kind of KINDS) {
    withSessionOptions(
      withStoreOptions(report.command(kind).description(`usage per ${PERIOD_NAMES[kind]}`), PERSONAL_STORE),
    )
      .option('-s, --since <date>', 'from this date (YYYY-MM-DD or YYYYMMDD, inclusive)')
      .option('-u, --until <date>', 'until this date (inclusive)')
      .option('-z, --timezone <tz>', 'IANA time zone for the day boundaries (default: the system time zone)')
      .option('-b, --breakdown', 'one row per model under each period')
      .option('--full', 'import the session files into the store (the archive) first and report from the store')
      .option('--no-import', 'report what the store holds without reading session files')
      .option('--all-users', 'every user of the store, not only the local user')
      .option('--csv', 'CSV for a spreadsheet (one row per period, per period and model with --breakdown)')
      .action(async (flags: ReportFlags) =>
        flags.import !== false && !flags.full && !flags.allUsers
          ? (await import('./report-files.js')).reportFromFiles(kind, flags)
          : (await import('./report-store.js')).reportFromStore(kind, flags),
      );
  }
}

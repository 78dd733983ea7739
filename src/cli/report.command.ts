import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildReport, localOwner } from '../session-files/index.js';
import { reportFromSlots, reportJson, usagePass, type ReportKind } from '../session-files/client/index.js';
import { runImport, summaryText, type ImportFlags } from './import.command.js';
import { noFilesNote, personalStoreDefaults } from './session-options.js';
import { reportCsv } from './report-csv.js';
import { reportTable } from './report-table.js';
import { sessionEnv, withSessionOptions } from './session-options.js';
import { cliActor, print, withStore, withStoreOptions } from './shared.js';

interface ReportFlags extends ImportFlags {
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
        withStore(
          flags,
          async (store, config) => {
            let importNote = '';
            let imported: unknown = null;
            let owner;
            let usage;
            if (flags.import !== false && !flags.full && !flags.allUsers) {
              // The usage-only pass: the files themselves, summed per file and cached (decision 0027).
              const { env, email, idleFinalMs } = sessionEnv(flags);
              owner = await localOwner(store.db, email, cliActor());
              const roots = [env.sessionsDir];
              fs.mkdirSync(config.data, { recursive: true });
              const r = await usagePass({
                paths: roots,
                cachePath: path.join(config.data, 'report-cache.json'),
                creditsPerUsd: config.pricing.credits_per_usd,
                idleFinalMs,
              });
              usage = r;
              imported = {
                files: r.summary.files,
                lines: r.summary.lines,
                skipped: r.summary.skipped,
                errors: r.summary.errors,
              };
              if (!r.summary.files.found) importNote = `${noFilesNote(roots)}\n`;
              else if (r.summary.files.read || r.summary.errors.length) {
                const { read, found, unchanged } = r.summary.files;
                importNote = `Read ${read} of ${found} session files (${unchanged} unchanged)\n`;
              }
              if (owner.ownerKey)
                importNote += `New store: owner key (shown once, store it now): ${owner.ownerKey.secret}\n`;
              for (const e of r.summary.errors)
                process.stderr.write(`steward: could not read ${e.file}: ${e.message}\n`);
            } else if (flags.import !== false) {
              const r = await runImport(store, config, flags, [], !flags.json);
              owner = r.owner;
              imported = {
                files: r.summary.files,
                lines: r.summary.lines,
                skipped: r.summary.skipped.total,
                errors: r.summary.errors,
              };
              if (!r.summary.files.found) importNote = `${noFilesNote(r.paths)}\n`;
              if (r.summary.files.read || r.summary.errors.length)
                importNote = summaryText(r.summary, r.owner).split('\n')[0]! + '\n';
              if (r.owner.ownerKey)
                importNote += `New store: owner key (shown once, store it now): ${r.owner.ownerKey.secret}\n`;
              for (const e of r.summary.errors)
                process.stderr.write(`steward: could not read ${e.file}: ${e.message}\n`);
            } else {
              owner = await localOwner(store.db, sessionEnv(flags).email, cliActor());
            }
            const range = { timezone: flags.timezone, since: flags.since, until: flags.until };
            const rep = usage
              ? reportFromSlots(kind, range, usage.usage, usage.turns)
              : await buildReport(store.db, kind, {
                  workspaceId: owner.workspace.id,
                  userId: flags.allUsers ? undefined : owner.user.id,
                  ...range,
                });
            if (flags.csv && !flags.json) {
              // Only the rows on stdout, so `> file.csv` is a clean file; the notes go to stderr.
              if (importNote) process.stderr.write(importNote);
              process.stdout.write(reportCsv(rep, { breakdown: flags.breakdown }));
              return;
            }
            print(
              flags,
              {
                ...reportJson(rep),
                user: flags.allUsers ? null : owner.user.email,
                import: imported,
                owner_key: owner.ownerKey ?? null,
              },
              () =>
                `${importNote}${reportTable(rep, { breakdown: flags.breakdown })}\n` +
                `Store: ${store.dialect} ${store.describe}`,
            );
          },
          personalStoreDefaults(),
        ),
      );
  }
}

// What both ways of reporting print: the rows as a table, JSON (ccusage's shape) or CSV.
import { reportJson, type Report } from '../session-files/client/index.js';
import { reportCsv } from './report-csv.js';
import { reportTable } from './report-table.js';
import type { ReportFlags } from './report.command.js';
import { print } from './shared-basics.js';

export function printReport(
  flags: ReportFlags,
  rep: Report,
  note: string,
  json: Record<string, unknown>,
  footer: string,
): void {
  if (flags.csv && !flags.json) {
    // Only the rows on stdout, so `> file.csv` is a clean file; the notes go to stderr.
    if (note) process.stderr.write(note);
    process.stdout.write(reportCsv(rep, { breakdown: flags.breakdown }));
    return;
  }
  print(
    flags,
    { ...reportJson(rep), ...json },
    () => `${note}${reportTable(rep, { breakdown: flags.breakdown })}\n${footer}`,
  );
}

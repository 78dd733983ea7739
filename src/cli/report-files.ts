// `steward report` from the session files themselves (the default): the usage-only pass with its
// summary cache (decision 0027). Loads neither the store nor the import (decision 0041): a repeat
// report with nothing new is a stat per file and one cache read.
import fs from 'node:fs';
import path from 'node:path';
import { reportFromSlots, usagePass, type ReportKind } from '../session-files/client/index.js';
import { printReport } from './report-output.js';
import type { ReportFlags } from './report.command.js';
import { noFilesNote, personalStoreDefaults, sessionEnv } from './session-options.js';
import { loadConfigLazily } from '../config/load-defaults.js';
import { configOptions } from './shared-basics.js';

export async function reportFromFiles(kind: ReportKind, flags: ReportFlags): Promise<void> {
  const config = await loadConfigLazily(configOptions(flags, {}, personalStoreDefaults()));
  const { env, email, idleFinalMs } = sessionEnv(flags);
  const roots = [env.sessionsDir];
  const range = { timezone: flags.timezone, since: flags.since, until: flags.until };
  reportFromSlots(kind, range, [], []); // a bad date or zone is refused before any file is read
  fs.mkdirSync(config.data, { recursive: true });
  const cachePath = path.join(config.data, 'report-cache.tsv');
  fs.rmSync(path.join(config.data, 'report-cache.json'), { force: true }); // the cache's format before 0047
  const r = await usagePass({
    paths: roots,
    cachePath,
    creditsPerUsd: config.pricing.credits_per_usd,
    idleFinalMs,
    byThread: kind === 'session',
  });
  let note = '';
  if (!r.summary.files.found) note = `${noFilesNote(roots)}\n`;
  else if (r.summary.files.read || r.summary.errors.length) {
    const { read, found, unchanged } = r.summary.files;
    note = `Read ${read} of ${found} session files (${unchanged} unchanged)\n`;
  }
  for (const e of r.summary.errors) process.stderr.write(`steward: could not read ${e.file}: ${e.message}\n`);
  const { files, lines, skipped, errors } = r.summary;
  printReport(
    flags,
    reportFromSlots(kind, range, r.usage, r.turns),
    note,
    { user: email, import: { files, lines, skipped, errors }, owner_key: null },
    `Sessions: ${roots.join(', ')} (summary cache ${cachePath}; --full to archive them in the store)`,
  );
}

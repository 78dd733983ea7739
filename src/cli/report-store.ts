// `steward report --full | --no-import | --all-users`: the report from the store (imported first
// with --full), as the server's figures are.
import { buildReport, localOwner } from '../session-files/index.js';
import type { ReportKind } from '../session-files/client/index.js';
import { runImport, summaryText } from './import.command.js';
import { printReport } from './report-output.js';
import type { ReportFlags } from './report.command.js';
import { noFilesNote, personalStoreDefaults, sessionEnv } from './session-options.js';
import { cliActor, withStore } from './shared.js';

export function reportFromStore(kind: ReportKind, flags: ReportFlags): Promise<void> {
  return withStore(
    flags,
    async (store, config) => {
      let note = '';
      let imported: unknown = null;
      let owner;
      if (flags.import !== false) {
        const r = await runImport(store, config, flags, [], !flags.json);
        owner = r.owner;
        imported = {
          files: r.summary.files,
          lines: r.summary.lines,
          skipped: r.summary.skipped.total,
          errors: r.summary.errors,
        };
        if (!r.summary.files.found) note = `${noFilesNote(r.paths)}\n`;
        if (r.summary.files.read || r.summary.errors.length)
          note = summaryText(r.summary, r.owner).split('\n')[0]! + '\n';
        for (const e of r.summary.errors) process.stderr.write(`steward: could not read ${e.file}: ${e.message}\n`);
      } else owner = await localOwner(store.db, sessionEnv(flags).email, cliActor());
      if (owner.ownerKey) note += `New store: owner key (shown once, store it now): ${owner.ownerKey.secret}\n`;
      const rep = await buildReport(store.db, kind, {
        workspaceId: owner.workspace.id,
        userId: flags.allUsers ? undefined : owner.user.id,
        timezone: flags.timezone,
        since: flags.since,
        until: flags.until,
      });
      printReport(
        flags,
        rep,
        note,
        { user: flags.allUsers ? null : owner.user.email, import: imported, owner_key: owner.ownerKey ?? null },
        `Store: ${store.dialect} ${store.describe}`,
      );
    },
    personalStoreDefaults(),
  );
}

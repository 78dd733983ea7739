// `steward backup --to FILE` and `steward restore --from FILE` (decisions/0038): the embedded store
// through SQLite's online backup, safe while `steward serve` writes; PostgreSQL through pg_dump and
// pg_restore (which must be installed). A restore goes into a new store only.
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  backupPostgres,
  backupSqlite,
  restorePostgres,
  restoreSqlite,
  type BackupSummary,
} from '../platform/storage/backup.js';
import { sqliteFileOf } from '../platform/storage/database.js';
import { configFrom, print, withStoreOptions, type StoreFlags } from './shared.js';

const summary = (verb: string, s: BackupSummary) =>
  [
    `${verb} ${s.file} (${s.bytes.toLocaleString('en-US')} bytes)`,
    ...s.heads.map((h) => `  workspace ${h.workspace_id}: chain head ${h.seq}`),
  ].join('\n');

export function backupCommand(program: Command): void {
  withStoreOptions(
    program
      .command('backup')
      .description('copy the store to a file while the server may run (SQLite online backup; PostgreSQL pg_dump)'),
  )
    .addOption(new Option('--to <file>', 'the backup file to write (must not exist)').makeOptionMandatory())
    .option('--schema <name>', 'PostgreSQL: only this schema (default: the URL search_path, else the whole database)')
    .action(async (flags: StoreFlags & { to: string; schema?: string }) => {
      const config = configFrom(flags);
      const s = config.database_url
        ? await backupPostgres(config.database_url, flags.to, flags.schema)
        : await backupSqlite(sqliteFileOf(config.data), flags.to);
      print(flags, s, () => summary('Backed up to', s));
    });
}

export function restoreCommand(program: Command): void {
  withStoreOptions(
    program
      .command('restore')
      .description('restore a backup into a new store (a data directory without one, or an empty database)'),
  )
    .addOption(new Option('--from <file>', 'a file written by steward backup').makeOptionMandatory())
    .action(async (flags: StoreFlags & { from: string }) => {
      const config = configFrom(flags);
      if (config.database_url) {
        await restorePostgres(config.database_url, flags.from);
        print(flags, { restored: flags.from }, () => `Restored ${flags.from}; run "steward compliance verify"`);
        return;
      }
      const s = await restoreSqlite(flags.from, sqliteFileOf(config.data));
      print(flags, s, () => `${summary('Restored into', s)}\nRun "steward compliance verify" to check the chain.`);
    });
}

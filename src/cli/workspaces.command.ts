import type { Command } from 'commander';
import { allWorkspaces } from '../access/index.js';
import { isoOrDash, listTable } from './list-table.js';
import { print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

export function workspacesCommand(program: Command): void {
  const ws = program.command('workspaces').description('workspaces of this store');
  withStoreOptions(ws.command('list').description('list workspaces')).action(async (flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const rows = await allWorkspaces(db);
      print(flags, rows, () =>
        rows.length
          ? listTable(
              ['ID', 'NAME', 'CREATED'],
              rows.map((w) => [w.id, w.name, isoOrDash(w.created_at)]),
            )
          : 'No workspace yet: run "steward serve" once.',
      );
    }),
  );
}

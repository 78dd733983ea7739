import type { Command } from 'commander';
import { allWorkspaces, createWorkspace } from '../access/index.js';
import { isoOrDash, listTable } from './list-table.js';
import { cliActor, print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

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
  withStoreOptions(
    ws.command('create <name>').description('add a workspace (its own users, keys and archive); audited'),
  )
    .option('--id <id>', "the workspace id (default: a new UUID); letters, digits, '.', '_', '-'")
    .action(async (name: string, flags: StoreFlags & { id?: string }) =>
      withStore(flags, async ({ db }) => {
        const w = await createWorkspace(db, { id: flags.id, name }, cliActor());
        print(flags, w, () => `Created workspace ${w.id} (${w.name})`);
      }),
    );
}

import type { Command } from 'commander';
import { listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

export function workspacesCommand(program: Command): void {
  const ws = program.command('workspaces').description('workspaces of this store');
  withStoreOptions(ws.command('list').description('list workspaces')).action(async (flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const rows = await listWorkspaces(db);
      print(flags, rows, () => rows.map((w) => `${w.id}  ${w.name}`).join('\n') || 'No workspace yet: run "steward serve" once.');
    }),
  );
}

import type { Command } from 'commander';
import {
  addTeamMember,
  createTeam,
  defaultWorkspace,
  deleteTeam,
  ensureWorkspace,
  listTeams,
  removeTeamMember,
} from '../access/index.js';
import { isoOrDash, listTable } from './list-table.js';
import { cliActor, print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

export function teamsCommand(program: Command): void {
  const teams = program.command('teams').description('group users into teams (a user may be in several); audited');
  withStoreOptions(teams.command('create <name>').description('create a team')).action(
    async (name: string, flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const ws = await ensureWorkspace(db);
        const t = await createTeam(db, ws.id, name, cliActor());
        print(flags, t, () => `Created team ${t.name} as ${t.id}`);
      }),
  );
  withStoreOptions(teams.command('list').description('list teams and their sizes')).action(async (flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const ws = await defaultWorkspace(db);
      const rows = await listTeams(db, ws.id);
      print(flags, rows, () =>
        rows.length
          ? listTable(
              ['ID', 'NAME', 'MEMBERS', 'CREATED'],
              rows.map((t) => [t.id, t.name, String(t.members), isoOrDash(t.created_at)]),
            )
          : 'No teams yet.',
      );
    }),
  );
  withStoreOptions(teams.command('add-member <team> <email>').description('add a user to a team (id or name)')).action(
    async (team: string, email: string, flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const ws = await defaultWorkspace(db);
        const r = await addTeamMember(db, ws.id, team, email, cliActor());
        print(flags, r, () => (r.added ? `Added ${r.email} to ${team}` : `${r.email} is already in ${team}`));
      }),
  );
  withStoreOptions(teams.command('remove-member <team> <email>').description('remove a user from a team')).action(
    async (team: string, email: string, flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const ws = await defaultWorkspace(db);
        const r = await removeTeamMember(db, ws.id, team, email, cliActor());
        print(flags, r, () => `Removed ${r.email} from ${team}`);
      }),
  );
  withStoreOptions(teams.command('delete <team>').description('delete a team (its users stay)')).action(
    async (team: string, flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const ws = await defaultWorkspace(db);
        const t = await deleteTeam(db, ws.id, team, cliActor());
        print(flags, t, () => `Deleted team ${t.name} (${t.members} member(s))`);
      }),
  );
}

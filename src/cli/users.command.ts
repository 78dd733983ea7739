import type { Command } from 'commander';
import { addUser, changeRole, defaultWorkspace, ensureWorkspace, removeUser, workspaceUsers } from '../access/index.js';
import { createResetLink, setPassword } from '../accounts/index.js';
import { isoOrDash, listTable } from './list-table.js';
import { cliActor, print, withStore, withStoreOptions, type StoreFlags } from './shared.js';
import { readPassword } from './password-input.js';

export function usersCommand(program: Command): void {
  const users = program.command('users').description('manage the people of the workspace');
  withStoreOptions(users.command('add <email>').description('add a user'))
    .option('--name <name>', 'display name')
    .option('--role <role>', 'owner|security_owner|analytics_owner|analytics_viewer|team_lead|member', 'member')
    .option('--github-login <login>', 'GitHub login, to attribute code review replies and reactions')
    .action(async (email: string, flags: StoreFlags & { name?: string; role?: string; githubLogin?: string }) =>
      withStore(flags, async ({ db }) => {
        // Works on a store serve has never opened: people are often added before the first start.
        const ws = await ensureWorkspace(db);
        const u = await addUser(
          db,
          { workspaceId: ws.id, email, name: flags.name, role: flags.role, githubLogin: flags.githubLogin },
          cliActor(),
        );
        print(flags, u, () => `Added ${u.email} (${u.role}) as ${u.id}`);
      }),
    );
  withStoreOptions(
    users.command('set-role <email> <role>').description("change a user's role (see users add --role); audited"),
  ).action(async (email: string, role: string, flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const ws = await defaultWorkspace(db);
      const u = await changeRole(db, ws.id, email, role, cliActor());
      print(flags, u, () => `${u.email} is now ${u.role}`);
    }),
  );
  withStoreOptions(
    users
      .command('remove <email>')
      .description('remove a user: their keys are revoked, their archive and usage are kept; audited'),
  ).action(async (email: string, flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const ws = await defaultWorkspace(db);
      const r = await removeUser(db, ws.id, email, cliActor());
      print(
        flags,
        { ...r.user, revoked_keys: r.revokedKeys },
        () =>
          `Removed ${r.user.email}; revoked ${r.revokedKeys.length} key(s). ` +
          'Their records and usage stay in the archive.',
      );
    }),
  );
  withStoreOptions(users.command('list').description('list users')).action(async (flags: StoreFlags) =>
    withStore(flags, async ({ db }) => {
      const ws = await defaultWorkspace(db);
      const rows = await workspaceUsers(db, ws.id);
      print(flags, rows, () =>
        rows.length
          ? listTable(
              ['ID', 'EMAIL', 'ROLE', 'STATUS', 'NAME'],
              rows.map((u) => [
                u.id,
                u.email,
                u.role,
                u.removed_at ? `removed ${isoOrDash(u.removed_at)}` : 'active',
                u.name,
              ]),
            )
          : 'No users yet.',
      );
    }),
  );
  withStoreOptions(users.command('passwd <email>').description("set a user's password (ends their sessions); audited"))
    .option('--password-stdin', 'read the password from standard input (scripts) instead of prompting')
    .action(async (email: string, flags: StoreFlags & { passwordStdin?: boolean }) =>
      withStore(flags, async ({ db }) => {
        const ws = await defaultWorkspace(db);
        const r = await setPassword(db, ws.id, email, await readPassword(!!flags.passwordStdin), cliActor());
        print(flags, r, () => `Password set for ${email}; ${r.sessionsEnded} session(s) ended`);
      }),
    );
  withStoreOptions(
    users
      .command('reset-link <email>')
      .description('make a one-time link for the user to set a new password (hand it to them); audited'),
  ).action(async (email: string, flags: StoreFlags) =>
    withStore(flags, async ({ db }, config) => {
      const ws = await defaultWorkspace(db);
      const base = config.public_url ?? `http://${config.host}:${config.port}`;
      const link = await createResetLink(db, ws.id, { email }, { hours: config.accounts.link_hours, base }, cliActor());
      const until = new Date(link.expiresAt).toISOString();
      print(
        flags,
        { url: link.url, expires_at: until, user_id: link.userId },
        () => `Reset link for ${email} (one use, until ${until}): ${link.url}`,
      );
    }),
  );
}

import type { Command } from 'commander';
import { createKey, DEFAULT_ROTATION_GRACE_MS, listKeyViews, revokeKey, rotateKey } from '../access/index.js';
import { defaultWorkspace, ensureWorkspace } from '../access/index.js';
import { isoOrDash, listTable } from './list-table.js';
import type { Config } from '../config/schema.js';
import { validationError } from '../core/errors.js';
import { cliActor, otelBlock, print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

// Where developers' Codex sends its logs: the flag, the configured public URL, or what serve listens on.
function serverUrl(config: Config, flag?: string): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return (flag ?? config.public_url ?? `http://${host}:${config.port}`).replace(/\/$/, '');
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API and ingest keys');
  withStoreOptions(keys.command('create').description('create a key; its secret is printed once'))
    .requiredOption(
      '--scope <scope>',
      'ingest.write | codex.enterprise.analytics.read | codex.enterprise.compliance.read | ' +
        'codex.enterprise.compliance.delete | admin (repeatable, or comma-separated)',
      collect,
    )
    .option('--user <email>', 'the user an ingest key belongs to')
    .option('--name <name>', 'a label')
    .option(
      '--shared-collector',
      'an OTel collector forwarding for many people: attribute records by their user.email claim',
    )
    .option(
      '--service',
      'a CI or service identity (with --user): its usage counts in totals, not as an active user or per-user row',
    )
    .option('--expires-in-days <days>', 'expire after this many days')
    .option(
      '--server-url <url>',
      'URL shown in the [otel] block (default: public_url, else the host and port serve uses)',
    )
    .action(
      async (
        flags: StoreFlags & {
          scope: string[];
          user?: string;
          name?: string;
          sharedCollector?: boolean;
          service?: boolean;
          expiresInDays?: string;
          serverUrl?: string;
        },
      ) => {
        const days = flags.expiresInDays === undefined ? undefined : Number(flags.expiresInDays);
        if (days !== undefined && !(days > 0 && Number.isFinite(days)))
          throw validationError('--expires-in-days', `must be a positive number of days, got "${flags.expiresInDays}"`);
        return withStore(flags, async ({ db }, config) => {
          // Works before the first serve, as `users add` does.
          const ws = await ensureWorkspace(db);
          const { key, secret } = await createKey(
            db,
            {
              workspaceId: ws.id,
              scopes: flags.scope,
              userEmail: flags.user,
              name: flags.name,
              sharedCollector: flags.sharedCollector,
              service: flags.service,
              expiresAt: days ? Date.now() + days * 86_400_000 : undefined,
            },
            cliActor(),
          );
          print(flags, { ...key, secret, workspace_id: ws.id }, () => {
            const lines = [`Created key ${key.id} (${key.scopes.join(', ')})`, `Secret (shown once): ${secret}`];
            if (key.scopes.includes('ingest.write'))
              lines.push(
                '',
                "Paste into the developer's ~/.codex/config.toml:",
                '',
                otelBlock(serverUrl(config, flags.serverUrl), secret),
              );
            return lines.join('\n');
          });
        });
      },
    );
  withStoreOptions(keys.command('list').description('list keys (never their secrets)')).action(
    async (flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const ws = await defaultWorkspace(db);
        // Each key names its holder's email (listKeyViews joins it): no list of every user here.
        const rows = await listKeyViews(db, ws.id);
        const now = Date.now();
        const status = (k: (typeof rows)[number]) =>
          k.revoked_at ? 'revoked' : k.expires_at && k.expires_at < now ? 'expired' : 'active';
        print(flags, rows, () =>
          rows.length
            ? listTable(
                ['ID', 'NAME', 'OWNER', 'SCOPES', 'STATUS', 'PREFIX', 'LAST USED'],
                rows.map((k) => [
                  k.id,
                  k.name,
                  k.user_id ? (k.user_email ?? k.user_id) : k.shared_collector ? '(shared collector)' : null,
                  k.scopes.join(','),
                  status(k),
                  `${k.prefix}…`,
                  isoOrDash(k.last_used_at),
                ]),
              )
            : 'No keys.',
        );
      }),
  );
  withStoreOptions(
    keys
      .command('rotate <id>')
      .description(
        "replace a key's secret: a new key with the same owner and scopes; the old secret keeps working " +
          'for the grace period, then is refused as expired; audited',
      ),
  )
    .option(
      '--grace-hours <hours>',
      'how long the old secret keeps working (0: stop now)',
      String(DEFAULT_ROTATION_GRACE_MS / 3_600_000),
    )
    .action(async (id: string, flags: StoreFlags & { graceHours: string }) => {
      const hours = Number(flags.graceHours);
      if (flags.graceHours.trim() === '' || !Number.isFinite(hours) || hours < 0)
        throw validationError('--grace-hours', `must be zero or a positive number of hours, got "${flags.graceHours}"`);
      return withStore(flags, async ({ db }) => {
        const r = await rotateKey(db, id, Math.round(hours * 3_600_000), cliActor());
        print(flags, { ...r.key, secret: r.secret, replaces: r.old }, () =>
          [
            `Rotated key ${r.old.id} -> ${r.key.id} (${r.key.scopes.join(', ')})`,
            `New secret (shown once): ${r.secret}`,
            `The old secret works until ${isoOrDash(r.old.expires_at)}; put the new one in place before then.`,
          ].join('\n'),
        );
      });
    });
  withStoreOptions(keys.command('revoke <id>').description('revoke a key')).action(
    async (id: string, flags: StoreFlags) =>
      withStore(flags, async ({ db }) => {
        const k = await revokeKey(db, id, cliActor());
        print(flags, k, () => `Revoked key ${k.id}`);
      }),
  );
}

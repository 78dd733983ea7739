import type { Command } from 'commander';
import { buildApp } from '../app/app.js';
import { ensureOwnerKey, ensureWorkspace, OWNER_KEY_COMMAND, type OwnerKeyState } from '../access/index.js';
import { startReactionPoller } from '../code-review/index.js';
import { startComplianceJobs } from '../compliance/index.js';
import { startWindowJob } from '../ingest/index.js';
import { createRuntime } from '../app/runtime.js';
import { ensureSetupLink } from '../accounts/index.js';
import { SYSTEM } from '../compliance/index.js';
import { runSerialized } from '../platform/storage/jobs.js';
import { configFrom, openConfiguredStore, storeFlags, withStoreOptions, type StoreFlags } from './shared.js';

interface ServeFlags extends StoreFlags {
  host?: string;
  port?: string;
  logLevel?: string;
}

// The command with serve's own store flags; a password in the database URL is replaced by
// <password> (never printed).
function ownerKeyCommand(flags: ServeFlags): string {
  return [OWNER_KEY_COMMAND, storeFlags(flags)].filter(Boolean).join(' ');
}

// A later start: the owner key was shown when it was made; say so, and how to make another.
function ownerKeyLine(owner: OwnerKeyState, command: string): string {
  const another = `make another with: ${command}`;
  if (!owner.existing) return `Owner key: no active admin key; ${another}`;
  const made = new Date(owner.existing.created_at).toISOString();
  return `Owner key: one exists (${owner.existing.id}, made ${made}, shown only then); ${another}`;
}

// --json: owner_key is the secret only when made by this start; otherwise whether one exists.
function ownerKeyFields(owner: OwnerKeyState, command: string) {
  const made = owner.existing ? new Date(owner.existing.created_at).toISOString() : null;
  return { owner_key_exists: !owner.created && !!owner.existing, owner_key_made_at: made, owner_key_command: command };
}

export function serveCommand(program: Command): void {
  withStoreOptions(program.command('serve').description('run the API and ingest receivers on one port'))
    .option('--host <host>', 'address to listen on (default 127.0.0.1; env STEWARD_HOST)')
    .option('--port <port>', 'port to listen on (default 8787, 0 = any free port; env STEWARD_PORT)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)')
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags, { host: flags.host, port: flags.port, log_level: flags.logLevel });
      const store = await openConfiguredStore(config);
      // The workspace before listening (the server serves it); the owner key only once it listens:
      // a start that fails before (a busy port) or is killed must not store a key it never printed.
      // Serialized across nodes starting together on one empty database: one workspace, one owner key.
      const once = <T>(fn: () => Promise<T>) => runSerialized(store.db, 'serve.bootstrap', fn);
      const workspace = await once(() => ensureWorkspace(store.db));
      // Structured logs go to stderr so that stdout carries only the startup banner.
      const runtime = createRuntime(store);
      const { app, ctx } = await buildApp({
        store,
        config,
        runtime,
        logger: { level: config.log_level, stream: process.stderr },
      });
      // Ingest transactions on a thread of their own (SQLite file stores; nothing on PostgreSQL).
      await runtime.startWriterThread();
      const address = await app.listen({ host: config.host, port: config.port });
      let reactionPoller: ReturnType<typeof startReactionPoller> | null = null;
      let compliance: ReturnType<typeof startComplianceJobs> | null = null;
      let windows: ReturnType<typeof startWindowJob> | null = null;
      // Signal handlers from here on (before the owner key is made and the banner printed): a stop
      // while the key is being made still prints it, and whoever reads the banner may stop at once.
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        // New batches get 503 + Retry-After (exporters retry elsewhere or later) while the ones in
        // flight commit; only then are connections closed.
        ctx.state.shuttingDown = true;
        app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        const deadline = Date.now() + 10_000;
        await new Promise((r) => setTimeout(r, 250));
        while (ctx.state.inflightBatches > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        // close() stops accepting connections and waits for in-flight requests (and their transactions).
        await reactionPoller?.stop();
        await compliance?.stop();
        await windows?.stop();
        await app.close();
        await runtime.stop();
        await store.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      const owner = await once(() => ensureOwnerKey(store.db, workspace));
      if (!closing) {
        // Reactions on Codex review comments are polled from the GitHub API (webhooks carry none).
        if (config.github.token && config.github.poll_interval_seconds > 0)
          reactionPoller = startReactionPoller(store.db, config.github, { log: app.log });
        // SIEM forwarding, retention and signed checkpoints ([compliance] in steward.toml).
        compliance = startComplianceJobs(store.db, config, app.log, {
          ingestBusy: () => ctx.state.inflightBatches > 0,
        });
        // The dashboard's trailing windows: each day's base, once across the nodes (decisions/0042).
        windows = startWindowJob(store.db, app.log, { leaseMs: config.server.job_lease_seconds * 1000 });
      }
      const url = config.public_url ?? address.replace('[::1]', 'localhost');
      // The first owner's password: a one-time link while no owner has one (printed once: a later
      // start finds the link open and prints nothing until it expires).
      const setup = closing
        ? null
        : await once(() => ensureSetupLink(store.db, workspace.id, { ...config.accounts, base: url }, SYSTEM));
      if (flags.json) {
        const banner = {
          event: 'listening',
          url: address,
          store: store.describe,
          dialect: store.dialect,
          workspace_id: workspace.id,
          owner_key: owner.created ?? null,
          setup_link: setup?.url ?? null,
          ...ownerKeyFields(owner, ownerKeyCommand(flags)),
        };
        process.stdout.write(JSON.stringify(banner) + '\n');
      } else {
        const lines = [
          `Steward listening on ${address}`,
          `Store: ${store.dialect} ${store.describe}`,
          `Workspace: ${workspace.id} (${workspace.name})`,
        ];
        if (owner.created) {
          const on = storeFlags(flags) && ` ${storeFlags(flags)}`;
          // keys create reads host and port from the configuration; flags given to serve alone it
          // cannot know, so the command names the address (else its [otel] block points elsewhere).
          const at = !config.public_url && (flags.host || flags.port) ? ` --server-url ${url}` : '';
          lines.push(
            '',
            `Owner key (shown once, store it now): ${owner.created.secret}`,
            '',
            `Next: steward users add alice@example.com${on} && ` +
              `steward keys create --scope ingest.write --user alice@example.com${on}${at}`,
            `then paste the [otel] block it prints into ~/.codex/config.toml (endpoint ${url}/v1/logs).`,
          );
        } else lines.push(ownerKeyLine(owner, ownerKeyCommand(flags)));
        if (setup) {
          const until = new Date(setup.expiresAt).toISOString();
          lines.push('', `Set the first owner's password (one use, until ${until}): ${setup.url}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}

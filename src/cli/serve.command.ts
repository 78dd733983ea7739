import type { Command } from 'commander';
import { buildApp } from '../app/app.js';
import { ensureBootstrapped } from '../access/index.js';
import { startReactionPoller } from '../code-review/index.js';
import { startComplianceJobs } from '../compliance/index.js';
import { startIngestWriterThread } from '../ingest/index.js';
import { configFrom, openConfiguredStore, withStoreOptions, type StoreFlags } from './shared.js';

interface ServeFlags extends StoreFlags {
  host?: string;
  port?: string;
  logLevel?: string;
}

export function serveCommand(program: Command): void {
  withStoreOptions(program.command('serve').description('run the API and ingest receivers on one port'))
    .option('--host <host>', 'address to listen on (default 127.0.0.1; env STEWARD_HOST)')
    .option('--port <port>', 'port to listen on (default 8787, 0 = any free port; env STEWARD_PORT)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)')
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags, { host: flags.host, port: flags.port, log_level: flags.logLevel });
      const store = await openConfiguredStore(config);
      const boot = await ensureBootstrapped(store.db);
      // Structured logs go to stderr so that stdout carries only the startup banner.
      const { app, ctx } = await buildApp({ store, config, logger: { level: config.log_level, stream: process.stderr } });
      // Ingest transactions on a thread of their own (SQLite file stores; nothing on PostgreSQL).
      const writerThread = await startIngestWriterThread(store);
      const address = await app.listen({ host: config.host, port: config.port });
      // Reactions on Codex review comments are polled from the GitHub API (webhooks carry none).
      const reactionPoller = config.github.token && config.github.poll_interval_seconds > 0 ? startReactionPoller(store.db, config.github, { log: app.log }) : null;
      // SIEM forwarding, retention and signed checkpoints ([compliance] in steward.toml).
      const compliance = startComplianceJobs(store.db, config, app.log);
      const url = config.public_url ?? address.replace('[::1]', 'localhost');
      if (flags.json) {
        process.stdout.write(JSON.stringify({ event: 'listening', url: address, store: store.describe, dialect: store.dialect, workspace_id: boot.workspace.id, owner_key: boot.ownerKey ?? null }) + '\n');
      } else {
        const lines = [`Steward listening on ${address}`, `Store: ${store.dialect} ${store.describe}`, `Workspace: ${boot.workspace.id} (${boot.workspace.name})`];
        if (boot.ownerKey) {
          lines.push('', `Owner key (shown once, store it now): ${boot.ownerKey.secret}`, '', 'Next: steward users add alice@example.com && steward keys create --scope ingest.write --user alice@example.com', `then paste the [otel] block it prints into ~/.codex/config.toml (endpoint ${url}/v1/logs).`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
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
        await compliance.stop();
        await app.close();
        await writerThread?.stop();
        await store.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
    });
}

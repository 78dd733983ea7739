// The runtime: every long-lived object of one process that more than one request shares (the
// ingest group writer and its thread, the caches), made here once and passed down. `serve`, the CLI
// commands and in-process tests call createRuntime; no module keeps one of these for itself.
import { UserEmails } from '../analytics/index.js';
import { ContentPolicies } from '../compliance/index.js';
import { IngestWriter, startIngestWriterThread, type IngestDeps } from '../ingest/index.js';
import type { Store } from '../platform/storage/database.js';

export interface Runtime {
  store: Store;
  ingest: IngestDeps;
  policies: ContentPolicies;
  emails: UserEmails;
  /** Moves ingest writes to a thread of their own (SQLite files; nothing on PostgreSQL or in memory). */
  startWriterThread(opts?: { checkpointEvents?: number }): Promise<boolean>;
  /** Ends the writer thread, if any (the store stays open: its opener closes it). */
  stop(): Promise<void>;
}

export function createRuntime(store: Store): Runtime {
  const policies = new ContentPolicies();
  const writer = new IngestWriter(store.db);
  let thread: Awaited<ReturnType<typeof startIngestWriterThread>> = null;
  return {
    store,
    ingest: { db: store.db, writer, policies },
    policies,
    emails: new UserEmails(),
    async startWriterThread(opts) {
      if (thread) return true;
      thread = await startIngestWriterThread(store, writer, opts);
      return thread !== null;
    },
    async stop() {
      const t = thread;
      thread = null;
      await t?.stop();
    },
  };
}

// What ingest needs besides its input, made once per process by the runtime (app/runtime.ts) and
// passed down: no module keeps a writer or a cache of its own.
import type { ContentPolicies } from '../compliance/index.js';
import type { AppContext } from '../platform/http/context.js';
import type { Db } from '../platform/storage/database.js';
import type { IngestWriter } from './writer/ingest-writer.js';

export interface IngestDeps {
  db: Db;
  // The store's one group writer (on SQLite moved to a thread by `serve`).
  writer: IngestWriter;
  // The workspaces' content policies, read once per batch and kept for a second.
  policies: ContentPolicies;
}

/** The context of the routes that ingest (OTLP, session files). */
export interface IngestContext extends AppContext {
  ingest: IngestDeps;
}

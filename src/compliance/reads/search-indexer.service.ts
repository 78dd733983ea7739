// The search indexer (decisions/0037): brings every workspace's trigram index up to its chain,
// in batches, off the ingest acknowledgement path. A search reads the index up to the watermark
// and scans the rest itself, so what the indexer has not reached yet is still found.
import type { Db } from '../../platform/storage/database.js';
import { isSqlite } from '../../platform/storage/dialect.js';
import { listChainWorkspaces } from '../chain/chain.repository.js';
import { indexNextRecords } from './search-index.repository.js';

// A batch is one write transaction. On SQLite it runs on the server's thread and holds the write
// lock the ingest writer thread waits for, so it is kept to a fraction of a second there.
const BATCH = { sqlite: 500, postgres: 2000 };

/** Indexes every record past the watermarks; returns how many it indexed. */
export async function indexPending(db: Db, opts: { batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? (isSqlite(db) ? BATCH.sqlite : BATCH.postgres);
  let total = 0;
  for (const ws of await listChainWorkspaces(db)) {
    for (;;) {
      const n = await db.transaction().execute((trx) => indexNextRecords(trx, ws, batch));
      total += n;
      if (n < batch) break;
      // Requests waiting on the server's thread go first (SQLite runs every query on it).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return total;
}

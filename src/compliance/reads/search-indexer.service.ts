// The search indexer (decisions/0037): brings every workspace's trigram index up to its chain,
// in batches, off the ingest acknowledgement path. A search reads the index up to the watermark
// and scans the rest itself, so what the indexer has not reached yet is still found.
import type { Db } from '../../platform/storage/database.js';
import { isSqlite } from '../../platform/storage/dialect.js';
import { listChainWorkspaces } from '../chain/chain.repository.js';
import { analyzeIndex, indexNextRecords } from './search-index.repository.js';

// A batch is one write transaction. On SQLite it runs on the server's thread (as every SQLite
// query of the server does) and holds the write lock the ingest writer thread waits for: batches
// are small there, and after each the indexer rests as long as the batch took, so that catching up
// on a large archive takes at most half of that thread (500-record batches without the rest left
// /healthz at p50 435 ms, bench/search.bench.ts). PostgreSQL does the work on its side.
const BATCH = { sqlite: 200, postgres: 2000 };
// PostgreSQL plans a search from the index table's statistics; a table filled in bulk (the first
// run after the upgrade) has none until autovacuum comes by, and the planner then walks the whole
// table in seq order instead of the GIN index (2.6 s instead of 4 ms for a rare word in 100k).
const ANALYZE_AFTER = 10_000;

/** Indexes every record past the watermarks; returns how many it indexed. */
export async function indexPending(db: Db, opts: { batch?: number } = {}): Promise<number> {
  const sqlite = isSqlite(db);
  const batch = opts.batch ?? (sqlite ? BATCH.sqlite : BATCH.postgres);
  let total = 0;
  for (const ws of await listChainWorkspaces(db)) {
    for (;;) {
      const t0 = performance.now();
      const n = await db.transaction().execute((trx) => indexNextRecords(trx, ws, batch));
      total += n;
      if (n < batch) break;
      const rest = sqlite ? performance.now() - t0 : 0;
      await new Promise((resolve) => (rest > 1 ? setTimeout(resolve, rest) : setImmediate(resolve)));
    }
  }
  if (!sqlite && total >= ANALYZE_AFTER) await analyzeIndex(db);
  return total;
}

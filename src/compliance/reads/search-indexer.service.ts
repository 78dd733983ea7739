// The search indexer (decisions/0037): brings every workspace's trigram index up to its chain,
// in batches, off the ingest acknowledgement path. A search reads the index up to the watermark
// and scans the rest itself, so what the indexer has not reached yet is still found.
import type { Db } from '../../platform/storage/database.js';
import { isSqlite } from '../../platform/storage/dialect.js';
import { listChainWorkspaces } from '../chain/chain.repository.js';
import { analyzeIndex, flushIndexPending, indexNextRecords } from './search-index.repository.js';

// A batch is one write transaction. On SQLite it runs on the server's thread (as every SQLite
// query of the server does) and holds the write lock the ingest writer thread waits for, so the
// indexer paces itself there: after each batch it rests so that it takes at most a share of that
// thread. Idle, half (a rest as long as the batch: 500-record batches without a rest left /healthz
// at p50 435 ms, bench/search.bench.ts). While ingest batches are in flight (`busy`), a tenth, in
// batches of a quarter the size so the write lock is held for shorter spells: catching up at half
// the thread halved ingest on a busy server (BENCHMARKS.md, "Second version"). PostgreSQL does the
// work on its side and does not rest.
const BATCH = { sqlite: 200, postgres: 2000 };
const SQLITE_SHARE = { idle: 0.5, busy: 0.1 };
// PostgreSQL plans a search from the index table's statistics; a table filled in bulk (the first
// run after the upgrade) has none until autovacuum comes by, and the planner then walks the whole
// table in seq order instead of the GIN index (2.6 s instead of 4 ms for a rare word in 100k).
const ANALYZE_AFTER = 10_000;

export interface IndexerPace {
  batch?: number;
  /** Whether ingest is under way now (serve: batches in flight); the SQLite indexer then yields more. */
  busy?: () => boolean;
}

/** Indexes every record past the watermarks; returns how many it indexed. */
export async function indexPending(db: Db, opts: IndexerPace = {}): Promise<number> {
  const sqlite = isSqlite(db);
  let total = 0;
  for (const ws of await listChainWorkspaces(db)) {
    for (;;) {
      const busy = sqlite && (opts.busy?.() ?? false);
      const full = opts.batch ?? (sqlite ? BATCH.sqlite : BATCH.postgres);
      const batch = busy ? Math.max(1, Math.floor(full / 4)) : full;
      const t0 = performance.now();
      const n = await db.transaction().execute((trx) => indexNextRecords(trx, ws, batch));
      total += n;
      if (n < batch) break;
      const share = busy ? SQLITE_SHARE.busy : SQLITE_SHARE.idle;
      const rest = sqlite ? ((performance.now() - t0) * (1 - share)) / share : 0;
      await new Promise((resolve) => (rest > 1 ? setTimeout(resolve, rest) : setImmediate(resolve)));
    }
  }
  if (!sqlite && total > 0) await flushIndexPending(db);
  if (!sqlite && total >= ANALYZE_AFTER) await analyzeIndex(db);
  return total;
}

// Worker thread of the ingest writer (ingest-writer.thread.ts): writes one group per message on
// its own connection and answers with the counts or the error; a null message ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreOptions } from '../../platform/storage/database.js';
import { ChainHeads } from '../../compliance/index.js';
import { writeGroup, type WriteJob } from './ingest-writer.js';

const { options } = workerData as { options: StoreOptions };
// Its transactions begin IMMEDIATE, as every SQLite store's do (database.ts). No automatic
// checkpoints on this connection: the main thread runs them beside the writes
// (ingest-writer.thread.ts), so no commit here pays for copying the WAL into the database.
const store = openStore({ ...options, poolSize: 1, walAutocheckpoint: 0 });
// This connection's chain heads (the main thread's are its own: a head one wrote is a miss for the
// other's compare-and-set, which then locks and reads it).
const heads = new ChainHeads();
parentPort!.on('message', async (m: { id: number; jobs: WriteJob[] } | null) => {
  if (m === null) {
    await store.close();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: m.id, counts: await writeGroup(store.db, m.jobs, heads) });
  } catch (e) {
    const err = e as { name?: string; message?: string; code?: unknown };
    parentPort!.postMessage({
      id: m.id,
      error: {
        name: err.name ?? 'Error',
        message: err.message ?? String(e),
        code: typeof err.code === 'string' ? err.code : undefined,
      },
    });
  }
});
parentPort!.postMessage({ ready: true });

// Worker thread for verifyChain: checks ranges of the chain, one per message, on its own
// database connection; a null message ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreOptions } from '../../storage/database.js';
import { verifyRange, type RangeJob } from './verify.service.js';

const { options } = workerData as { options: StoreOptions };
const store = openStore({ ...options, poolSize: 1 });
parentPort!.on('message', async (job: RangeJob | null) => {
  if (job === null) {
    await store.close();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ result: await verifyRange(store.db, job) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});

// A reader thread of the usage-only pass: reads the batches of files it is sent (usage-batch.ts) and
// answers each with every file's cache line and the batch's sums; a null message ends it.
import { parentPort } from 'node:worker_threads';
import { readBatch, type SumBatch } from './usage-batch.js';

parentPort!.on('message', async (batch: SumBatch | null) => {
  if (batch === null) return void parentPort!.close();
  parentPort!.postMessage(await readBatch(batch));
});

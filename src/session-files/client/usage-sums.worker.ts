// A reader thread of the usage-only pass: reads the batches of files it is sent (usage-sums.ts) and
// answers each with every file's sums and checkpoint; a null message ends it. The main thread merges.
import { parentPort } from 'node:worker_threads';
import { summarizeFile, tupleRead, type SumAnswer, type SumBatch } from './usage-sums.js';

parentPort!.on('message', async (batch: SumBatch | null) => {
  if (batch === null) return void parentPort!.close();
  const answers: SumAnswer[] = [];
  for (const f of batch.files) {
    try {
      answers.push({ read: tupleRead(await summarizeFile(f.path, f)) });
    } catch (e) {
      answers.push({ error: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
    }
  }
  parentPort!.postMessage({ id: batch.id, answers });
});

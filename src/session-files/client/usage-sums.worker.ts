// A worker thread of the usage-only pass: reads the files it is sent (usage-sums.ts) and answers
// each with its sums and checkpoint; a null message ends it. The main thread merges.
import { parentPort } from 'node:worker_threads';
import { summarizeFile, type SumJob } from './usage-sums.js';

parentPort!.on('message', (job: SumJob | null) => {
  if (job === null) return void parentPort!.close();
  summarizeFile(job.path, job).then(
    (read) => parentPort!.postMessage({ id: job.id, read }),
    (e: Error & { code?: string }) => parentPort!.postMessage({ id: job.id, error: e.message, code: e.code }),
  );
});

// Helper thread for verifyChain on SQLite: checks windows of the chain whole, one per message, on
// a read-only connection of its own (compliance/verify/sqlite-chain-windows.ts); a null message ends it. It
// loads nothing else, so it starts in tens of milliseconds where a thread with the services and
// Kysely took hundreds; the thread that asked keeps the chain's state and checks any window not
// found intact record by record.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteWindows } from './sqlite-chain-windows.js';

export interface WindowJob {
  workspaceId: string;
  afterSeq: number;
  untilSeq: number;
  seqs: number[];
  cutoffs: [string, number][]; // per event type, the retention cutoff that covers this window's records
}

const windows = openSqliteWindows((workerData as { file: string }).file);
// Windows are asked for ahead of need (the next one while the last is looked at): answered one
// after the other, in the order asked.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (job: (WindowJob & { id: number }) | null) => {
  queue = queue.then(async () => {
    if (job === null) {
      windows.close();
      parentPort!.close();
      return;
    }
    try {
      parentPort!.postMessage({
        id: job.id,
        summary: await windows.verifier.summarize(job.workspaceId, job.afterSeq, job.untilSeq, job.seqs, job.cutoffs),
      });
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).message });
    }
  });
});

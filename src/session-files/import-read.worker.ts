// A reader thread of `steward import` (import-readers.ts): reads the files it is sent, one after
// another, and posts each file's batches in order, then its end or its error. It holds at most
// `credits` batches the main thread has not yet written (each written batch is acknowledged), so
// the memory of an import is bounded by the batch size, not by the corpus. A null message ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { newApplier, readFileBatches, type ReadEnv, type ReadTask } from './import-read.js';
import type { ReaderIn, ReaderOut } from './import-readers.js';

const { env, credits: startCredits } = workerData as { env: ReadEnv; credits: number };
const port = parentPort!;
const applier = newApplier(env);
const queue: ReadTask[] = [];
let credits = startCredits;
let creditWaiter: (() => void) | undefined;
let reading = false;

const post = (m: ReaderOut) => port.postMessage(m);

async function credit(): Promise<void> {
  while (credits <= 0) await new Promise<void>((resolve) => (creditWaiter = resolve));
  credits--;
}

async function readAll(): Promise<void> {
  reading = true;
  while (queue.length) {
    const task = queue.shift()!;
    try {
      const it = readFileBatches(task, env, applier);
      for (;;) {
        const r = await it.next();
        if (r.done) {
          post({ type: 'done', id: task.id, done: r.value });
          break;
        }
        await credit();
        post({ type: 'batch', id: task.id, batch: r.value });
      }
    } catch (e) {
      applier.clear();
      const err = e as NodeJS.ErrnoException;
      post({ type: 'error', id: task.id, error: { message: err.message, code: err.code } });
    }
  }
  reading = false;
}

port.on('message', (m: ReaderIn | null) => {
  if (m === null) return void port.close();
  if (m.type === 'ack') {
    credits++;
    const w = creditWaiter;
    creditWaiter = undefined;
    w?.();
    return;
  }
  queue.push(m.task);
  if (!reading) void readAll();
});

// The usage-only pass's reader threads (decisions 0041, 0054): the files to read come from the
// listing as it walks (a generator), cut into batches of about BATCH_BYTES, and each thread is given
// the next batch as soon as it answers the last, with one more waiting, so no thread idles on a
// message round trip and the listing is never held whole. A batch, not a file, per message: with
// tens of thousands of short files, the messages were most of the cost.
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import type { BatchAnswer, BatchFile, SumBatch } from './usage-batch.js';

const WORKER = siblingModule('usage-sums.worker', import.meta.url);
const MAX_BATCH_FILES = 512;
// Batches are cut in listing order, as the files come: small enough that the last one a thread
// reads ends near the others' last (a fraction of a second of parsing), large enough that the
// messages cost nothing beside the reading.
const BATCH_BYTES = 4 << 20;
// A reader keeps nothing between files, but V8 lets a heap grow far before collecting it: with its
// default limits two readers took ~100 MB each on a gigabyte of short files. A smaller young
// generation is collected more often; the old one holds only the modules and one batch. 16 MB on
// 1.1 GB of long files: 6.3 s CPU, 190 MB (8 MB: 8.1 s, 165 MB; V8's default: 5.8 s, 260 MB).
const READER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 };

export type ReadJob = BatchFile & { bytes: number };

/** Cuts `jobs` into batches of about BATCH_BYTES or MAX_BATCH_FILES files, pulled as needed. */
export function* batchesOf<J extends ReadJob>(jobs: Iterator<J>): Generator<J[]> {
  let cur: J[] = [];
  let bytes = 0;
  for (let n = jobs.next(); !n.done; n = jobs.next()) {
    cur.push(n.value);
    bytes += n.value.bytes;
    if (bytes >= BATCH_BYTES || cur.length >= MAX_BATCH_FILES) {
      yield cur;
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) yield cur;
}

export interface BatchOptions {
  creditsPerUsd: number;
  byThread: boolean;
}

/** Reads the batches on up to `threads` worker threads; `onAnswer` gets each batch's answer with its jobs. */
export async function readOnThreads<J extends ReadJob>(
  batches: Iterator<J[]>,
  threads: number,
  opts: BatchOptions,
  onAnswer: (jobs: J[], answer: BatchAnswer) => void,
): Promise<void> {
  const sent = new Map<number, J[]>();
  let next = 0;
  let ended = false;
  const take = (): J[] | undefined => {
    if (ended) return undefined;
    const n = batches.next();
    if (n.done) ended = true;
    return n.done ? undefined : n.value;
  };
  const workers: ReturnType<typeof startModuleWorker>[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let open = 0;
      const post = (w: (typeof workers)[number], jobs: J[]): void => {
        const id = next++;
        sent.set(id, jobs);
        open++;
        // Only what the reader needs: the jobs also carry the main thread's own bookkeeping.
        const files = jobs.map(({ path, st, final, checkpoint, old }) => ({ path, st, final, checkpoint, old }));
        w.postMessage({ id, files, ...opts } satisfies SumBatch);
      };
      const send = (w: (typeof workers)[number]): void => {
        const jobs = take();
        if (jobs) post(w, jobs);
      };
      // A thread is started only for a batch to read: a pass with few files starts fewer.
      const start = (): void => {
        const first = take();
        if (!first) return;
        const w = startModuleWorker(WORKER, null, READER_LIMITS);
        workers.push(w);
        w.on('message', (m: BatchAnswer) => {
          try {
            const jobs = sent.get(m.id)!;
            sent.delete(m.id);
            open--;
            onAnswer(jobs, m);
            send(w);
            if (open === 0 && ended) resolve();
          } catch (e) {
            reject(e);
          }
        });
        w.on('error', reject);
        post(w, first);
        send(w);
      };
      for (let i = 0; i < threads && !ended; i++) start();
      if (open === 0) resolve();
    });
  } finally {
    for (const w of workers) w.postMessage(null);
  }
}

// The usage-only pass's reader threads (decision 0041): the files to read are cut into batches of
// about the same number of bytes, handed out largest first, and each thread is given the next batch
// as soon as it answers the last, with one more waiting, so no thread idles on a message round trip.
// A batch, not a file, per message: with tens of thousands of short files, the messages were most
// of the cost.
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import type { SumAnswer, SumBatch, SumOptions } from './usage-sums.js';

const WORKER = siblingModule('usage-sums.worker', import.meta.url);
const MAX_BATCH_FILES = 512;
// A reader keeps nothing between files, but V8 lets a heap grow far before collecting it: with its
// default limits two readers took ~100 MB each on a gigabyte of short files. A smaller young
// generation is collected more often; the old one holds only the modules and one batch. 16 MB on
// 1.1 GB of long files: 6.3 s CPU, 190 MB (8 MB: 8.1 s, 165 MB; V8's default: 5.8 s, 260 MB).
const READER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 128 };

export type ReadJob = SumOptions & { path: string; bytes: number };

/** Batches of consecutive jobs of about `total / (threads * 8)` bytes each (1 to 16 MB), largest first. */
export function batchesOf(jobs: ReadJob[], threads: number): ReadJob[][] {
  const total = jobs.reduce((n, j) => n + j.bytes, 0);
  const target = Math.min(16 << 20, Math.max(1 << 20, Math.ceil(total / (threads * 8))));
  const out: { jobs: ReadJob[]; bytes: number }[] = [];
  let cur = { jobs: [] as ReadJob[], bytes: 0 };
  for (const j of jobs) {
    cur.jobs.push(j);
    cur.bytes += j.bytes;
    if (cur.bytes >= target || cur.jobs.length >= MAX_BATCH_FILES) {
      out.push(cur);
      cur = { jobs: [], bytes: 0 };
    }
  }
  if (cur.jobs.length) out.push(cur);
  return out.sort((a, b) => b.bytes - a.bytes).map((b) => b.jobs);
}

/** Reads `jobs` on `threads` worker threads; `onAnswer` gets each file's answer as it comes. */
export async function readOnThreads(
  jobs: ReadJob[],
  threads: number,
  onAnswer: (job: ReadJob, answer: SumAnswer) => void,
): Promise<void> {
  const batches = batchesOf(jobs, threads);
  const sent = new Map<number, ReadJob[]>();
  let next = 0;
  const workers = Array.from({ length: Math.min(threads, batches.length) }, () =>
    startModuleWorker(WORKER, null, READER_LIMITS),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let open = batches.length;
      const send = (w: (typeof workers)[number]) => {
        if (next >= batches.length) return;
        const id = next++;
        sent.set(id, batches[id]!);
        // Only what the reader needs: the jobs also carry the main thread's own bookkeeping.
        const files = batches[id]!.map((j) => ({
          path: j.path,
          checkpoint: j.checkpoint,
          final: j.final,
          creditsPerUsd: j.creditsPerUsd,
        }));
        w.postMessage({ id, files } satisfies SumBatch);
      };
      for (const w of workers) {
        w.on('message', (m: { id: number; answers: SumAnswer[] }) => {
          const batch = sent.get(m.id)!;
          sent.delete(m.id);
          m.answers.forEach((a, i) => onAnswer(batch[i]!, a));
          send(w);
          if (--open === 0) resolve();
        });
        w.on('error', reject);
        send(w);
        send(w);
      }
      if (!open) resolve();
    });
  } finally {
    for (const w of workers) w.postMessage(null);
  }
}

// steward demo's older days made on worker threads (demo-days.worker.ts) while this one writes the
// days before them (decisions/0049): generating a day, running its pipeline and building its rows
// and rollups is about two thirds of a bulk-loaded day's CPU, the writes the other third, so two
// workers (days alternating) keep this thread's writes fed on two cores. The days come back in
// order, at most AHEAD of them made and not yet written (each is a few MB at 10,000 people).
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import type { PreparedFresh, Principal } from '../../ingest/index.js';
import type { DemoSpec } from './demo-people.js';

export interface DaysInput {
  spec: DemoSpec;
  principal: Principal;
  ingest: { source: 'otlp'; hostName: string; creditsPerUsd: number };
  /** The workspace's users by email, as [email, id] pairs. */
  emails: [string, string][];
}

export interface DayReply {
  index: number;
  events: number;
  prepared?: PreparedFresh;
  error?: string;
}

const WORKER = siblingModule('demo-days.worker', import.meta.url);

interface Waiting {
  resolve: (r: DayReply) => void;
  reject: (e: unknown) => void;
}

function dayWorker(input: DaysInput) {
  const worker: Worker = startModuleWorker(WORKER, input);
  // A worker answers in the order it is asked.
  const waiting: Waiting[] = [];
  const failAll = (e: unknown) => {
    for (const w of waiting.splice(0)) w.reject(e);
  };
  worker.on('message', (r: DayReply) => waiting.shift()?.resolve(r));
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`a demo day worker exited (${code})`)));
  const ask = (index: number) => {
    const reply = new Promise<DayReply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage({ index });
    });
    // A day asked for and never taken (a write failed) fails with the thread, unheard.
    reply.catch(() => undefined);
    return reply;
  };
  return { ask, stop: () => worker.terminate() };
}

/** Days 0 to count - 1, prepared on worker threads, in order. */
export async function* preparedDays(
  input: DaysInput,
  count: number,
): AsyncGenerator<DayReply & { prepared: PreparedFresh }> {
  if (count <= 0) return;
  const workers = Array.from({ length: Math.min(2, os.availableParallelism(), count) }, () => dayWorker(input));
  const ahead = workers.length + 1;
  try {
    const inFlight: Promise<DayReply>[] = [];
    let next = 0;
    const askNext = () => {
      inFlight.push(workers[next % workers.length]!.ask(next));
      next++;
    };
    while (inFlight.length < ahead && next < count) askNext();
    while (inFlight.length) {
      const r = await inFlight.shift()!;
      if (next < count) askNext();
      if (r.error || !r.prepared) throw new Error(`demo day ${r.index}: ${r.error ?? 'nothing made'}`);
      yield { ...r, prepared: r.prepared };
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

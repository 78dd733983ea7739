// steward demo's older days made on worker threads (demo-days.worker.ts) while this one writes the
// days before them (decisions/0049): generating a day, running its pipeline and building its rows
// and rollups is about two thirds of a bulk-loaded day's CPU and needs no database. With several
// workers the days alternate between them. They come back in order, at most one more than the
// workers made and not yet written (each is a few MB at 10,000 people).
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import { prepareFreshEvents, type PreparedFresh, type Principal } from '../../ingest/index.js';
import { demoDay } from './demo-activity.js';
import { demoPeople, type DemoPerson, type DemoSpec } from './demo-people.js';

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

/** One day made ready to write: its events, through the pipeline, into rows (no I/O). */
export function prepareDay(
  input: DaysInput,
  people: readonly DemoPerson[],
  emails: Map<string, string>,
  index: number,
) {
  const day = demoDay(input.spec, people, index, false);
  const inputs = day.events.map((event, i) => ({ index: i, event }));
  return {
    index,
    events: day.events.length,
    prepared: prepareFreshEvents(input.principal, inputs, { ...input.ingest, emails }),
  };
}

/**
 * Days 0 to count - 1, prepared on `workers` worker threads (0: on this one, one day at a time), in
 * order.
 */
export async function* preparedDays(
  input: DaysInput,
  count: number,
  workers: number,
): AsyncGenerator<DayReply & { prepared: PreparedFresh }> {
  if (count <= 0) return;
  if (workers <= 0) {
    const { people } = demoPeople(input.spec);
    const emails = new Map(input.emails);
    for (let index = 0; index < count; index++) yield prepareDay(input, people, emails, index);
    return;
  }
  const threads = Array.from({ length: Math.min(workers, count) }, () => dayWorker(input));
  const ahead = threads.length + 1;
  try {
    const inFlight: Promise<DayReply>[] = [];
    let next = 0;
    const askNext = () => {
      inFlight.push(threads[next % threads.length]!.ask(next));
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
    await Promise.all(threads.map((w) => w.stop()));
  }
}

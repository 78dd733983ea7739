// The readers of `steward import` (decisions/0048): files are read into batches on worker threads
// (import-read.worker.ts) while the main thread writes, and handed to the writer file by file in
// listing order, each file's batches in its order, so the store sees what one reader would have
// written. Each thread is given two files at a time (no idling on a round trip) and holds at most
// `credits` unwritten batches: a thread that runs ahead of the writer waits, and memory stays
// bounded by threads x credits x batch size whatever the corpus. A small import reads on the main
// thread (inProcessReaders), where starting threads would cost more than it saves.
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../platform/workers/module-worker.js';
import {
  newApplier,
  readFileBatches,
  type ReadBatch,
  type ReadDone,
  type ReadEnv,
  type ReadTask,
} from './import-read.js';

export type ReaderIn = { type: 'read'; task: ReadTask } | { type: 'ack' };
export type ReaderOut =
  | { type: 'batch'; id: number; batch: ReadBatch }
  | { type: 'done'; id: number; done: ReadDone }
  | { type: 'error'; id: number; error: { message: string; code?: string } };
// `idle`: nothing is ready yet; `stalled`: nor will be until the writer writes what it holds (the
// thread reading the next file waits for its credits).
export type ReadMessage = ReaderOut | { type: 'idle'; stalled: boolean };

export interface Readers {
  /** Every task's batches then its end (or error), task after task in the tasks' order. */
  messages(): AsyncGenerator<ReadMessage, void, undefined>;
  /** A batch of task `id` is written: its thread may read one more. */
  ack(id: number, batch: ReadBatch): void;
  close(): Promise<void>;
  /** The most batches and bytes of item bodies received and not yet acknowledged, at any time. */
  readonly peak: { batches: number; bytes: number };
}

const WORKER = siblingModule('import-read.worker', import.meta.url);
export const DEFAULT_CREDITS = 4;
const TASKS_AHEAD = 2;
// As the report's readers (client/usage-readers.ts): V8 otherwise lets each heap grow far past
// what a thread holds (its modules, one file's pieces, a few batches).
const READER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

const errorOf = (e: unknown) => ({ message: (e as Error).message, code: (e as NodeJS.ErrnoException).code });

/** Reads on this thread, one file after another (no acknowledgement needed: the writer pulls). */
export function inProcessReaders(tasks: ReadTask[], env: ReadEnv): Readers {
  const applier = newApplier(env);
  const peak = { batches: 1, bytes: 0 };
  return {
    peak,
    async *messages() {
      for (const task of tasks) {
        try {
          const it = readFileBatches(task, env, applier);
          for (;;) {
            const r = await it.next();
            if (r.done) {
              yield { type: 'done', id: task.id, done: r.value };
              break;
            }
            peak.bytes = Math.max(peak.bytes, r.value.bytes);
            yield { type: 'batch', id: task.id, batch: r.value };
          }
        } catch (e) {
          applier.clear();
          yield { type: 'error', id: task.id, error: errorOf(e) };
        }
      }
    },
    ack: () => undefined,
    close: async () => undefined,
  };
}

interface Reader {
  worker: Worker;
  open: number; // tasks given and not yet answered
  held: number; // its batches received and not yet acknowledged
  alive: boolean;
}

/** Reads `tasks` (ids 0..n-1, in order) on `threads` worker threads. */
export function threadReaders(tasks: ReadTask[], env: ReadEnv, threads: number, credits = DEFAULT_CREDITS): Readers {
  const inbox: ReaderOut[][] = tasks.map(() => []);
  const owner = new Int32Array(tasks.length).fill(-1);
  const answered = new Uint8Array(tasks.length);
  const peak = { batches: 0, bytes: 0 };
  const held = { batches: 0, bytes: 0 };
  let nextTask = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const readers: Reader[] = [];
  const assign = (r: Reader) => {
    while (r.alive && r.open < TASKS_AHEAD && nextTask < tasks.length) {
      const id = nextTask++;
      owner[id] = readers.indexOf(r);
      r.open++;
      r.worker.postMessage({ type: 'read', task: tasks[id]! } satisfies ReaderIn);
    }
  };
  const answer = (m: ReaderOut) => {
    if (answered[m.id]) return;
    if (m.type !== 'batch') answered[m.id] = 1;
    inbox[m.id]!.push(m);
  };
  // A thread that dies (out of memory, a crash) fails the files it held; the others read the rest.
  const lost = (r: Reader, cause: unknown) => {
    if (!r.alive) return;
    r.alive = false;
    const message = `the reader thread stopped: ${(cause as Error)?.message ?? String(cause)}`;
    const me = readers.indexOf(r);
    for (let id = 0; id < nextTask; id++)
      if (owner[id] === me && !answered[id]) answer({ type: 'error', id, error: { message } });
    const live = readers.filter((x) => x.alive);
    if (live.length) for (const x of live) assign(x);
    else
      while (nextTask < tasks.length) {
        const id = nextTask++;
        answer({ type: 'error', id, error: { message } });
      }
    notify();
  };
  for (let i = 0; i < Math.max(1, Math.min(threads, tasks.length)); i++) {
    const r: Reader = {
      worker: startModuleWorker(WORKER, { env, credits }, READER_LIMITS),
      open: 0,
      held: 0,
      alive: true,
    };
    readers.push(r);
    r.worker.on('message', (m: ReaderOut) => {
      if (m.type === 'batch') {
        r.held++;
        held.batches++;
        held.bytes += m.batch.bytes;
        peak.batches = Math.max(peak.batches, held.batches);
        peak.bytes = Math.max(peak.bytes, held.bytes);
      } else {
        r.open--;
        assign(r);
      }
      answer(m);
      notify();
    });
    r.worker.on('error', (e) => lost(r, e));
    r.worker.on('exit', (code) => lost(r, new Error(`exit code ${code}`)));
  }
  for (const r of readers) assign(r);
  return {
    peak,
    async *messages() {
      for (let id = 0; id < tasks.length; id++) {
        for (;;) {
          const m = inbox[id]!.shift();
          if (!m) {
            const r = readers[owner[id]!];
            yield { type: 'idle', stalled: r !== undefined && r.alive && r.held >= credits };
            if (!inbox[id]!.length) await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          yield m;
          if (m.type !== 'batch') break;
        }
      }
    },
    ack(id, batch) {
      held.batches--;
      held.bytes -= batch.bytes;
      const r = readers[owner[id]!];
      if (r) r.held--;
      if (r?.alive) r.worker.postMessage({ type: 'ack' } satisfies ReaderIn);
    },
    async close() {
      await Promise.all(
        readers.map(async (r) => {
          if (!r.alive) return;
          r.alive = false;
          const gone = new Promise((resolve) => r.worker.once('exit', resolve));
          r.worker.postMessage(null);
          await gone;
        }),
      );
    },
  };
}

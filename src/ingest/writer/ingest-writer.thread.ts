// Ingest writes on a thread of their own (SQLite). better-sqlite3 runs every statement on the
// calling thread, so in `serve` the transactions of the ingest writer (facts, rollups,
// reconciliation, compliance chain: about two thirds of an OTLP request's CPU time) used to stop
// the event loop that decodes the next requests. Here the writer's groups go to a worker thread
// with its own connection to the same database file; the main thread keeps receiving, decoding
// and running the pipeline, and answers each request once the worker reports its group committed
// (nothing is acknowledged earlier). If the thread dies, its open transaction is rolled back, its
// callers get a retryable error, and later groups are written on the main thread again. A third
// thread checkpoints the WAL (wal-checkpoint.worker.ts).
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import { walCheckpointWorkerModule } from '../../platform/storage/wal-checkpointer.js';
import { StewardError } from '../../core/errors.js';
import type { Store } from '../../platform/storage/database.js';
import { walCheckpoint } from '../../platform/storage/dialect.js';
import type { Counts, IngestWriter } from './ingest-writer.js';

export interface WriterThread {
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  counts?: Counts[];
  error?: { name: string; message: string; code?: string };
}

const CHECKPOINT_EVENTS = 16_000;

const WORKER = siblingModule('ingest-writer.worker', import.meta.url);
const CHECKPOINTER = walCheckpointWorkerModule();

/** Moves the writer's groups to a worker thread (SQLite files only; otherwise null and nothing changes). */
export async function startIngestWriterThread(
  store: Store,
  writer: IngestWriter,
  opts: { checkpointEvents?: number } = {},
): Promise<WriterThread | null> {
  const checkpointEvents = opts.checkpointEvents ?? CHECKPOINT_EVENTS;
  const options = store.options;
  if (store.dialect !== 'sqlite' || !options || options.sqliteFile === ':memory:') return null;
  const ready = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
  const worker = startModuleWorker(WORKER, { options });
  await ready(worker);
  const inThread = writer.local;
  const pending = new Map<number, { resolve: (c: Counts[]) => void; reject: (e: unknown) => void; events: number }>();
  let next = 0;
  let running = true;
  const fail = (cause: unknown) => {
    if (!running) return;
    running = false;
    writer.use(inThread);
    for (const p of pending.values())
      p.reject(
        new StewardError('storage_unavailable', 'the ingest writer thread stopped; retry', {
          retryAfterSeconds: 1,
          cause,
        }),
      );
    pending.clear();
  };
  // The writer's connection never checkpoints (see the worker): a third thread copies the WAL into
  // the database file instead (wal-checkpoint.worker.ts; this thread if that one is gone), with a
  // PASSIVE checkpoint that runs beside the writer's transactions rather than inside one of its
  // commits (then a RESTART: see the worker), once per CHECKPOINT_EVENTS events written. Every
  // commit changes the same tail pages of each B-tree and a checkpoint copies a page once however
  // often it changed, so a longer interval copies less; at 16,000 events the WAL stays at ~65 MB
  // on the bench payload (bench/ingest.bench.ts, 1,500 requests).
  let sinceCheckpoint = 0;
  let checkpointing = false;
  const started = startModuleWorker(CHECKPOINTER, { options });
  let checkpointer: Worker | null = await ready(started).then(
    () => started,
    () => (void started.terminate(), null),
  );
  checkpointer?.on('message', () => (checkpointing = false));
  checkpointer?.on('error', () => undefined); // 'exit' follows
  checkpointer?.on('exit', () => {
    checkpointer = null;
    checkpointing = false;
  });
  const checkpoint = (events: number) => {
    sinceCheckpoint += events;
    if (checkpointing || sinceCheckpoint < checkpointEvents) return;
    checkpointing = true;
    sinceCheckpoint = 0;
    if (checkpointer) return checkpointer.postMessage('checkpoint');
    setImmediate(() => {
      void walCheckpoint(store.db)
        .catch(() => undefined) // busy: the next one catches up
        .finally(() => (checkpointing = false));
    });
  };
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    checkpoint(p.events);
    if (m.counts) p.resolve(m.counts);
    // Driver errors keep their code, so transient ones (SQLITE_BUSY, …) still answer 503 + Retry-After.
    else p.reject(Object.assign(new Error(m.error!.message), { name: m.error!.name, code: m.error!.code }));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`ingest writer thread exited with code ${code}`)));
  writer.use(
    (group) =>
      new Promise<Counts[]>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject, events: group.reduce((n, j) => n + j.events.length, 0) });
        worker.postMessage({ id, jobs: group });
      }),
    true,
  );
  return {
    async stop() {
      writer.use(inThread);
      while (running && pending.size) await new Promise((r) => setTimeout(r, 10));
      const c = checkpointer;
      if (c) {
        checkpointer = null;
        const gone = once(c, 'exit');
        c.postMessage(null);
        await gone;
      }
      if (!running) return;
      running = false;
      const exited = once(worker, 'exit');
      worker.postMessage(null);
      await exited;
    },
  };
}

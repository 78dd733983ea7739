// Worker thread that copies SQLite's write-ahead log into the database file when asked
// (ingest-writer.thread.ts), on a connection of its own: a PASSIVE checkpoint runs beside the ingest
// writer's transactions and no longer stops the event loop that receives requests (one of ~60 MB
// of WAL takes 50-150 ms). Each request is a PASSIVE checkpoint beside the writes, then a RESTART
// one that holds the writer for what the first could not copy (written meanwhile, a few hundred
// pages) and lets the log start over: the WAL stays as large as one interval instead of growing
// under a steady stream of writes. Answers 'done' after each; a null message ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreOptions } from './database.js';
import { walCheckpoint } from './dialect.js';

const { options } = workerData as { options: StoreOptions };
// How long RESTART may wait for the writer's transaction and then for readers of the old log, each;
// writers wait while it does. A group's transaction takes 5-50 ms; a reader still on the old log
// after this (a long export) makes this checkpoint give up, and the next one tries again.
const RESTART_WAIT_MS = 250;
const store = openStore({ ...options, poolSize: 1, walAutocheckpoint: 0 });
parentPort!.on('message', async (m: 'checkpoint' | null) => {
  if (m === null) {
    await store.close();
    parentPort!.close();
    return;
  }
  try {
    await walCheckpoint(store.db, 'PASSIVE');
    await walCheckpoint(store.db, 'RESTART', RESTART_WAIT_MS);
  } catch {
    // busy (a reader or the writer past the busy timeout): the next request catches up
  }
  parentPort!.postMessage('done');
});
parentPort!.postMessage({ ready: true });

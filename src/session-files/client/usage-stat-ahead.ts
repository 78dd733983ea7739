// A repeat's stats on two threads (decision 0068): while the walk stats the listing from its first
// file on, a worker stats the last pass's files (the totals' paths, in listing order) from the last
// one back, and the walk takes the worker's stat of a file it reaches instead of its own. They meet
// where they meet: each row is claimed once (an atomic exchange), so a row is stat'ed by one thread
// or, when both reach it at once, by the walk again. A file the worker could not stat is stat'ed by
// the walk, which reports its error as always. Node 20's statSync builds four Dates per file, so
// 58,412 stats are ~0.2 s of one thread; the second thread costs ~30 ms to start, worth it only on
// many files.
import type { Worker } from 'node:worker_threads';
import type { FileStat } from '../adapter/discover.js';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';

const WORKER = siblingModule('usage-stat-ahead.worker', import.meta.url);

// Below this many files the walk's own stats (~3.5 µs each) end before a worker would start.
export const STAT_AHEAD_FILES = 20_000;

// A row's state in `state` (its last slot: the walk is done, the worker stops).
export const EMPTY = 0;
export const DONE = 1;
export const FAILED = 2;
export const CLAIMED = 3;

export interface StatAheadData {
  paths: Uint8Array; // the totals' paths section: UTF-8, each path ended by NUL
  files: number;
  stats: Float64Array; // [ino, size, mtimeMs] per row
  state: Int32Array; // files + 1 slots
}

export class StatAhead {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly data: StatAheadData,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /** Started on the totals' paths as read (no path decoded on this thread for it). */
  static start(pathBytes: Uint8Array, files: number): StatAhead {
    const paths = new Uint8Array(new SharedArrayBuffer(pathBytes.length));
    paths.set(pathBytes);
    const data: StatAheadData = {
      paths,
      files,
      stats: new Float64Array(new SharedArrayBuffer(files * 3 * 8)),
      state: new Int32Array(new SharedArrayBuffer((files + 1) * 4)),
    };
    const worker = startModuleWorker(WORKER, data, { maxYoungGenerationSizeMb: 4 });
    worker.unref(); // never holds the process: the walk does every row the worker did not
    worker.on('error', () => undefined); // a worker that failed took no row the walk needs
    return new StatAhead(worker, data);
  }

  /** Row j's stat if the worker took it; else undefined, and the row is the walk's from now on. */
  take(j: number): FileStat | undefined {
    const { state, stats } = this.data;
    if (j < 0 || j >= this.data.files) return undefined;
    // Claimed whichever it was: the worker stops at a claimed row, and a row is given once.
    if (Atomics.exchange(state, j, CLAIMED) !== DONE) return undefined;
    const o = j * 3;
    return { ino: stats[o]!, size: stats[o + 1]!, mtimeMs: stats[o + 2]! };
  }

  /** The worker has stopped (its rows all done, or it was told to stop). */
  finished(): Promise<void> {
    this.worker.ref(); // waited for: the process stays until it has
    return this.exited;
  }

  /** The walk is over: the worker stops at its next row. */
  stop(): void {
    if (Atomics.exchange(this.data.state, this.data.files, 1) !== 0) return;
    void this.worker.terminate().catch(() => undefined);
  }
}

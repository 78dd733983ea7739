// Checks slices of a workspace's chain, (afterSeq, untilSeq], each by one checker: windows checked
// whole where the database (or a helper thread on SQLite) can, record by record otherwise.
import { setImmediate } from 'node:timers/promises';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import { ChainVerifier, type ChainProblem } from '../../core/chain-verifier.js';
import { GENESIS_HASH } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { scanRecords } from '../chain/scan.repository.js';
import { RemovalCoverage, type Removal } from '../../core/compliance-removals.js';
import {
  sqliteWindowsFile,
  summarizesWindows,
  verifiesInDatabase,
  withWindowVerifier,
  type WindowSummary,
  type WindowVerifier,
} from './verify.repository.js';
import type { WindowJob } from './verify-windows.worker.js';
import { preferMappedReads } from '../../platform/storage/dialect.js';

// One contiguous slice of the chain, (afterSeq, untilSeq], checked by one thread.
export interface RangeJob {
  workspaceId: string;
  afterSeq: number;
  untilSeq: number;
  anchorHash: string | null; // stored hash of record afterSeq (null: missing)
  removals: Removal[]; // the chained retention removals that explain missing content
  checkpoints: [number, string][]; // seq -> hash a valid signed checkpoint names
}

// Seqs per window checked whole (one statement and one row back on PostgreSQL).
const DATABASE_WINDOW = 10_000;

export interface RangeResult {
  records: number;
  purged: number;
  problems: number;
  firstProblem: ChainProblem | null;
  checkpointsChecked: number;
  lastSeq: number;
  lastHash: string;
}

// windows: where to have windows checked whole (a helper thread's); by default this thread's
// connection, where the database allows (compliance-verify.repository.ts).
export async function verifyRange(db: DbOrTrx, job: RangeJob, windows?: WindowVerifier): Promise<RangeResult> {
  await preferMappedReads(db);
  const coverage = new RemovalCoverage(job.removals);
  const verifier = new ChainVerifier({
    removals: coverage,
    start: { seq: job.afterSeq, hash: job.afterSeq === 0 ? GENESIS_HASH : job.anchorHash },
  });
  const expect = new Map(job.checkpoints);
  let checked = 0;
  // Record by record in this process: reads every record with its content.
  const push = async (after: number, until: number) => {
    for await (const rows of scanRecords(db, job.workspaceId, after, until)) {
      for (const r of rows) {
        verifier.push(r);
        const hash = expect.get(r.seq);
        if (hash !== undefined) {
          checked++;
          expect.delete(r.seq);
          verifier.checkpointProblem(r.seq, hash, r.hash, r.id);
        }
      }
      // SQLite reads complete synchronously: let the event loop run (other requests, and the
      // messages of helper threads).
      await setImmediate();
    }
  };
  // Each window checked whole (recomputed by PostgreSQL, or from the headers SQLite writes); one
  // not found intact (or with a checkpoint that does not match) is checked record by record.
  const wholeWindows = async (v: WindowVerifier) => {
    const bounds: [number, number, number[]][] = [];
    for (let after = job.afterSeq; after < job.untilSeq; after += DATABASE_WINDOW) {
      const until = Math.min(after + DATABASE_WINDOW, job.untilSeq);
      bounds.push([after, until, [...expect.keys()].filter((s) => s > after && s <= until)]);
    }
    const ask = (i: number) => {
      if (i >= bounds.length) return null;
      const [after, until, seqs] = bounds[i];
      const p = v.summarize(job.workspaceId, after, until, seqs, coverage.cutoffsAfter(until));
      p.catch(() => {}); // awaited below; not an unhandled rejection if this range fails first
      return p;
    };
    let next = ask(0);
    for (let i = 0; i < bounds.length; i++) {
      const w = await next!;
      // The next window is asked for before this one is looked at: the server or a helper thread
      // works on it meanwhile.
      next = ask(i + 1);
      const [after, until, seqs] = bounds[i];
      if (seqs.every((s) => w.hashes.get(s) === expect.get(s)) && verifier.acceptIntact(w, after, until)) {
        checked += seqs.length;
        for (const s of seqs) expect.delete(s);
      } else await push(after, until);
    }
  };
  if (windows) await wholeWindows(windows);
  else if (summarizesWindows(db)) await withWindowVerifier(db, wholeWindows);
  else await push(job.afterSeq, job.untilSeq);
  verifier.checkEnd(job.untilSeq);
  for (const [seq, hash] of expect) {
    checked++;
    verifier.checkpointProblem(seq, hash, undefined, null);
  }
  return {
    records: verifier.records,
    purged: verifier.purged,
    problems: verifier.problems,
    firstProblem: verifier.firstProblem,
    checkpointsChecked: checked,
    lastSeq: verifier.head.seq,
    lastHash: verifier.head.hash,
  };
}

const WINDOWS_WORKER = siblingModule('verify-windows.worker', import.meta.url);

// A helper thread with a read-only connection of its own to the SQLite file that checks windows
// whole (verify-windows.worker.ts), several asked for at a time.
function windowsWorker(file: string) {
  const w = startModuleWorker(WINDOWS_WORKER, { file });
  const pending = new Map<number, { resolve: (s: WindowSummary) => void; reject: (e: Error) => void }>();
  let ids = 0;
  const fail = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('message', (m: { id: number; summary?: WindowSummary; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.summary) p?.resolve(m.summary);
    else p?.reject(new Error(m.error));
  });
  w.on('error', fail);
  w.on('exit', () => fail(new Error('the verify helper thread stopped')));
  return {
    verifier: (): WindowVerifier => ({
      summarize: (workspaceId, afterSeq, untilSeq, seqs, cutoffs) =>
        new Promise<WindowSummary>((resolve, reject) => {
          const id = ++ids;
          pending.set(id, { resolve, reject });
          w.postMessage({ id, workspaceId, afterSeq, untilSeq, seqs, cutoffs } satisfies WindowJob & { id: number });
        }),
    }),
    close: () => w.postMessage(null),
  };
}

// Checks the ranges with `threads` checkers pulling from one queue, so a helper that starts late
// simply takes fewer ranges. Where the database recomputes the chain this thread has little to
// do: the checkers are concurrent loops here, each on its own connection. On SQLite helper
// threads check windows whole and this thread does the rest of each range (the chain's state,
// and record by record any window not found intact).
export async function runRanges(db: DbOrTrx, jobs: RangeJob[], threads: number): Promise<RangeResult[]> {
  const inDatabase = verifiesInDatabase(db);
  const file = inDatabase ? null : sqliteWindowsFile(db);
  const locals = inDatabase ? threads : 1;
  const helpers = file ? threads - 1 : 0;
  const results: RangeResult[] = new Array(jobs.length);
  let next = 0;
  const local = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await verifyRange(db, jobs[i]);
    }
  };
  const remote = async () => {
    const w = windowsWorker(file!);
    try {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await verifyRange(db, jobs[i], w.verifier());
      }
    } finally {
      w.close();
    }
  };
  await Promise.all([...Array.from({ length: locals }, local), ...Array.from({ length: helpers }, remote)]);
  return results;
}

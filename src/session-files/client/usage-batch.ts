// One batch of the usage-only pass's files read (decision 0054), on a reader thread
// (usage-sums.worker.ts) or, for little to read, on the main thread: each file's cache line made
// where it was read, and the batch's sums already added up per quarter hour and model (SlotSums).
// The main thread then only writes the lines and adds one block per batch: it received one row
// object per file and quarter hour before, held to the end.
import type { FileStat } from '../adapter/discover.js';
import type { ReadScratch, RolloutCheckpoint } from '../adapter/parser.js';
import { lineOf, type CacheEntry } from './usage-cache.js';
import { fromTuples, toTuples, type CachedSums } from './usage-cache-rows.js';
import { SlotSums, type SumsBlock } from './slot-sums.js';
import { mergeInto, summarizeFile, type FileRead } from './usage-sums.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';

export interface BatchFile {
  path: string;
  st: FileStat; // the listing's stat, which the cache line keeps
  final: boolean;
  checkpoint?: RolloutCheckpoint;
  old?: CachedSums & { threadId: string | null }; // the sums of the part read before (continued)
}

export interface SumBatch {
  id: number;
  creditsPerUsd: number;
  byThread: boolean;
  files: BatchFile[];
}

export type FileAnswer =
  | { line: string; own: string | null; lines: number; skipped: number; reset: boolean }
  | { error: string; code?: string };

export interface BatchAnswer {
  id: number;
  answers: FileAnswer[];
  sums: SumsBlock;
}

/** A file's read as its cache entry: added to the sums of the part read before when it continued. */
export function entryOfRead(f: BatchFile, r: FileRead): CacheEntry {
  const own = r.threadId ?? null;
  let sums = toTuples(r, own);
  if (f.checkpoint && f.old && !r.reset) {
    const um = new Map<string, UsageSlotRow>();
    const tm = new Map<string, TurnSlotRow>();
    mergeInto(um, tm, fromTuples(f.old, f.old.threadId));
    mergeInto(um, tm, r);
    sums = toTuples({ usage: [...um.values()], turns: [...tm.values()] }, own);
  }
  return {
    u: sums.u,
    t: sums.t,
    ino: f.st.ino,
    size: f.st.size,
    offset: r.offset,
    mtimeMs: Math.trunc(f.st.mtimeMs),
    head: r.head,
    final: f.final,
    threadId: own,
    cp: r.cp,
  };
}

export async function readBatch(batch: SumBatch): Promise<BatchAnswer> {
  const sums = new SlotSums(batch.byThread);
  const answers: FileAnswer[] = [];
  const scratch: ReadScratch = {};
  for (const f of batch.files) {
    try {
      const r = await summarizeFile(f.path, {
        checkpoint: f.checkpoint,
        final: f.final,
        creditsPerUsd: batch.creditsPerUsd,
        scratch,
      });
      const e = entryOfRead(f, r);
      sums.add(e, e.threadId);
      answers.push({ line: lineOf(f.path, e), own: e.threadId, lines: r.lines, skipped: r.skipped, reset: r.reset });
    } catch (e) {
      answers.push({ error: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
    }
  }
  return { id: batch.id, answers, sums: sums.block() };
}

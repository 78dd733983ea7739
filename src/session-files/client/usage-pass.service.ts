// The usage-only pass behind `steward report` (decision 0027): session files read by the parser's
// usage-only mode and summed per file into quarter hour x model x thread (responses) and quarter
// hour x thread (counted turns), the rows the store's report queries return, so one report builder
// serves both. Each file's sums and its parser checkpoint are kept in a summary cache beside the
// personal store: an unchanged file costs a stat, a grown one is read from its checkpoint, a
// replaced or rewritten one (inode, shrink or the content check of its head) from the start.
import os from 'node:os';
import { listImportFiles, type FileEntry } from '../adapter/discover.js';
import { isGzipPath } from '../adapter/lines.js';
import type { RolloutCheckpoint } from '../adapter/parser.js';
import { contentHashes, DEFAULT_IDLE_FINAL_MS } from '../adapter/content-check.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';
import { readOnThreads, type ReadJob } from './usage-readers.js';
import { UsageCache, type CacheEntry } from './usage-cache.js';
import { fromTuples, toTuples } from './usage-cache-rows.js';
import {
  headOf,
  mergeInto,
  summarizeFile,
  tupleRead,
  type FileSums,
  type SumAnswer,
  type TupleRead,
} from './usage-sums.js';

export interface UsagePassSummary {
  files: { found: number; read: number; unchanged: number; reset: number; failed: number };
  lines: number;
  skipped: number;
  errors: { file: string; code?: string; message: string }[];
}

export interface UsagePassOptions {
  paths: string[];
  cachePath?: string; // absent: no cache (every file read)
  creditsPerUsd: number;
  idleFinalMs?: number;
  now?: () => number;
  threads?: number; // worker threads (default: one per core)
  parallelFromBytes?: number; // use them from this many bytes to read (default PARALLEL_BYTES)
}

// Below this many bytes to read, starting threads costs more than it saves: read on this thread.
const PARALLEL_BYTES = 32 * 1024 * 1024;

// The content check of a file read before: hashes of the first bytes and of the bytes just before
// the offset read, so a file rewritten in place is read again from the start.
async function headHash(path: string, offset: number): Promise<string | null> {
  if (isGzipPath(path)) return null;
  return headOf(await contentHashes(path, offset));
}

function fail(summary: UsagePassSummary, file: string, e: { code?: string; message: string }): void {
  summary.files.failed++;
  summary.errors.push({ file, code: e.code, message: e.message });
}

// 'again': grown, but kept without a checkpoint (a short final file), so read from the start.
type Plan = 'continue' | 'again' | 'new';

/** Unchanged since its cached read, told from the listing's stat alone (most files of a repeat). */
function unchanged(f: FileEntry, e: CacheEntry | undefined, final: boolean): boolean {
  const st = f.st;
  return !!e && e.ino === st.ino && e.size === st.size && e.mtimeMs === Math.trunc(st.mtimeMs) && (e.final || !final);
}

async function planRead(f: FileEntry, e: CacheEntry | undefined): Promise<Plan> {
  if (!e) return 'new';
  const st = f.st;
  if (e.ino !== st.ino || isGzipPath(f.path) || st.size < e.offset) return 'new';
  const h = await headHash(f.path, e.offset);
  return h !== e.head ? 'new' : e.cp === null ? 'again' : 'continue';
}

/** Sums of every session file under `paths`, reading only what changed since the cached pass. */
export async function usagePass(
  opts: UsagePassOptions,
): Promise<{ usage: UsageSlotRow[]; turns: TurnSlotRow[]; summary: UsagePassSummary }> {
  const now = opts.now ?? Date.now;
  const idle = opts.idleFinalMs ?? DEFAULT_IDLE_FINAL_MS;
  const summary: UsagePassSummary = {
    files: { found: 0, read: 0, unchanged: 0, reset: 0, failed: 0 },
    lines: 0,
    skipped: 0,
    errors: [],
  };
  const files = listImportFiles(opts.paths, summary.errors);
  summary.files.found = files.length;
  summary.files.failed = summary.errors.length;
  const cache = UsageCache.load(opts.cachePath, opts.creditsPerUsd);
  // Each listed file's entry: its cached one when unchanged, else the one its read makes.
  const entries = new Map<string, CacheEntry>();
  const usage: UsageSlotRow[] = [];
  const turns: TurnSlotRow[] = [];
  const jobs: (ReadJob & { f: FileEntry; old?: CacheEntry })[] = [];
  for (const f of files) {
    const old = cache.get(f.path);
    const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
    if (old && unchanged(f, old, final)) {
      summary.files.unchanged++;
      entries.set(f.path, old);
      continue;
    }
    try {
      const p = await planRead(f, old);
      if (old && p === 'new') summary.files.reset++;
      const checkpoint = p === 'continue' && old?.cp ? (JSON.parse(old.cp) as RolloutCheckpoint) : undefined;
      const bytes = f.st.size - (checkpoint?.offset ?? 0);
      jobs.push({ f, old, path: f.path, final, checkpoint, creditsPerUsd: opts.creditsPerUsd, bytes });
    } catch (e) {
      fail(summary, f.path, e as NodeJS.ErrnoException);
    }
  }
  const keep = (job: (typeof jobs)[number], a: SumAnswer) => {
    if ('error' in a) return fail(summary, job.path, { code: a.code, message: a.error });
    const e = entryOfRead(summary, job, a.read);
    entries.set(job.path, e);
    cache.set(job.path, e);
  };
  const bytes = jobs.reduce((n, j) => n + j.bytes, 0);
  const threads = Math.min(jobs.length, opts.threads ?? os.availableParallelism());
  if (threads > 1 && bytes >= (opts.parallelFromBytes ?? PARALLEL_BYTES))
    await readOnThreads(jobs, threads, (j, a) => keep(j as (typeof jobs)[number], a));
  else
    for (const job of jobs) {
      try {
        keep(job, { read: tupleRead(await summarizeFile(job.path, job)) });
      } catch (e) {
        fail(summary, job.path, e as NodeJS.ErrnoException);
      }
    }
  await sumFiles(entries, files, opts.creditsPerUsd, now, idle, usage, turns);
  try {
    cache.save(files.map((f) => f.path));
  } catch {
    // a cache that cannot be written costs the next report a re-read, never this one
  }
  return { usage, turns, summary };
}

/** A file's read as its cache entry: added to the sums of the part read before when it continued. */
function entryOfRead(
  summary: UsagePassSummary,
  job: { f: FileEntry; old?: CacheEntry; final: boolean; checkpoint?: RolloutCheckpoint },
  r: TupleRead,
): CacheEntry {
  summary.files.read++;
  summary.lines += r.lines;
  summary.skipped += r.skipped;
  const own = r.threadId ?? null;
  let sums = { u: r.u, t: r.t };
  if (job.checkpoint && job.old && !r.reset) {
    const um = new Map<string, UsageSlotRow>();
    const tm = new Map<string, TurnSlotRow>();
    mergeInto(um, tm, fromTuples(job.old, job.old.threadId));
    mergeInto(um, tm, fromTuples(r, own));
    sums = toTuples({ usage: [...um.values()], turns: [...tm.values()] }, own);
  }
  return {
    ...sums,
    ino: job.f.st.ino,
    size: job.f.st.size,
    offset: r.offset,
    mtimeMs: Math.trunc(job.f.st.mtimeMs),
    head: r.head,
    final: job.final,
    threadId: own,
    cp: r.cp,
  };
}

/**
 * Adds up the sums of the listed files. The store keeps one row per natural key, and a response's
 * key is scoped to its file's own thread: only files of one thread (a session kept both as .jsonl
 * and .jsonl.gz, a copy in archived_sessions) can repeat each other. Those few are read again
 * together, in listing order, with one set of keys, so the first file's record wins as in an import.
 */
async function sumFiles(
  entries: Map<string, CacheEntry>,
  files: FileEntry[],
  creditsPerUsd: number,
  now: () => number,
  idle: number,
  usage: UsageSlotRow[],
  turns: TurnSlotRow[],
): Promise<void> {
  // Rows of different files are not merged here: the report adds up rows of the same key anyway.
  const add = (s: FileSums) => {
    for (const r of s.usage) usage.push(r);
    for (const r of s.turns) turns.push(r);
  };
  // Threads with more than one file: few, so the common case allocates no group.
  const count = new Map<string, number>();
  for (const e of entries.values()) if (e.threadId) count.set(e.threadId, (count.get(e.threadId) ?? 0) + 1);
  const byThread = new Map<string, FileEntry[]>();
  for (const f of files) {
    const e = entries.get(f.path);
    if (!e) continue;
    if (!e.threadId || count.get(e.threadId) === 1) {
      add(fromTuples(e, e.threadId));
      continue;
    }
    const g = byThread.get(e.threadId);
    if (g) g.push(f);
    else byThread.set(e.threadId, [f]);
  }
  for (const group of byThread.values()) {
    const seen = new Set<string>();
    for (const f of group) {
      const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
      add(await summarizeFile(f.path, { final, creditsPerUsd, seen }));
    }
  }
}

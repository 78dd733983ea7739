// The usage-only pass's reading (usage-pass.service.ts, and the repeat from the totals in
// usage-repeat.ts), apart from where its listing comes from: which listed files changed since
// their cached line, the job that reads each (from its checkpoint when it grew), and the reading
// itself, on reader threads when there is enough of it.
import os from 'node:os';
import type { FileEntry } from '../adapter/discover.js';
import { isGzipPath } from '../adapter/decode.js';
import type { RolloutCheckpoint } from '../adapter/parser.js';
import { contentHashesSync, DEFAULT_IDLE_FINAL_MS } from '../adapter/content-check.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';
import { batchesOf, readOnThreads, type ReadJob } from './usage-readers.js';
import { headOf, type CacheEntry, type UsageCache } from './usage-cache.js';
import type { BatchAnswer } from './usage-batch.js';

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
  // Keep each usage row's thread (default true): only a report per thread needs it; without it the
  // rows are per quarter hour and model (thread_id ''), far fewer on many short files.
  byThread?: boolean;
}

// Below this many bytes to read, starting threads costs more than it saves: read on this thread.
const PARALLEL_BYTES = 32 * 1024 * 1024;

export function fail(summary: UsagePassSummary, file: string, e: { code?: string; message: string }): void {
  summary.files.failed++;
  summary.errors.push({ file, code: e.code, message: e.message });
}

/** Unchanged since its cached read, told from the listing's stat alone (most files of a repeat). */
function unchanged(f: FileEntry, e: CacheEntry | undefined, final: boolean): boolean {
  const st = f.st;
  return !!e && e.ino === st.ino && e.size === st.size && e.mtimeMs === Math.trunc(st.mtimeMs) && (e.final || !final);
}

// 'again': grown, but kept without a checkpoint (a short final file), so read from the start.
function planRead(f: FileEntry, e: CacheEntry | undefined): 'continue' | 'again' | 'new' {
  if (!e) return 'new';
  const st = f.st;
  if (e.ino !== st.ino || isGzipPath(f.path) || st.size < e.offset) return 'new';
  // The content check: a file rewritten in place (same inode, not shorter) is read from the start.
  const h = headOf(contentHashesSync(f.path, e.offset));
  return h !== e.head ? 'new' : e.cp === null ? 'again' : 'continue';
}

export type Job = ReadJob & { index: number };
export type PassResult = { usage: UsageSlotRow[]; turns: TurnSlotRow[]; summary: UsagePassSummary };
/** A listed file: its listing index and whether it is complete now. */
export interface Listed {
  f: FileEntry;
  index: number;
  final: boolean;
}

export function newSummary(): UsagePassSummary {
  return { files: { found: 0, read: 0, unchanged: 0, reset: 0, failed: 0 }, lines: 0, skipped: 0, errors: [] };
}

export function finalNow(opts: UsagePassOptions): (f: FileEntry) => boolean {
  const now = opts.now ?? Date.now;
  const idle = opts.idleFinalMs ?? DEFAULT_IDLE_FINAL_MS;
  return (f) => isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
}

/**
 * The listed files as reads: an unchanged one (told from the listing's stat against its cached
 * line) goes to `same` instead, a changed one becomes a job, from its checkpoint when it grew.
 */
export function* jobsOf(
  files: Iterable<Listed>,
  cache: UsageCache,
  summary: UsagePassSummary,
  same: (l: Listed, e: CacheEntry, ref: number) => void,
): Generator<Job> {
  for (const l of files) {
    const { f, index, final } = l;
    const old = cache.take(f.path);
    if (old && unchanged(f, old.entry, final)) {
      summary.files.unchanged++;
      same(l, old.entry, old.ref);
      continue;
    }
    try {
      const p = planRead(f, old?.entry);
      if (old && p === 'new') summary.files.reset++;
      const checkpoint =
        p === 'continue' && old?.entry.cp ? (JSON.parse(old.entry.cp) as RolloutCheckpoint) : undefined;
      const bytes = f.st.size - (checkpoint?.offset ?? 0);
      const prior = checkpoint && old ? { u: old.entry.u, t: old.entry.t, threadId: old.entry.threadId } : undefined;
      yield { index, path: f.path, st: f.st, final, checkpoint, old: prior, bytes };
    } catch (e) {
      fail(summary, f.path, e as NodeJS.ErrnoException);
    }
  }
}

/**
 * Reads the jobs, on reader threads when there is enough to read (the first PARALLEL_BYTES are
 * looked for first), else here; `keep` gets each batch's answer. Each answer's read files are
 * counted in the summary here; `keep` adds the sums and records the lines.
 */
export async function readJobs(
  all: Iterator<Job>,
  opts: UsagePassOptions,
  byThread: boolean,
  summary: UsagePassSummary,
  keep: (job: Job, line: string, own: string | null) => void,
  add: (a: BatchAnswer) => void,
): Promise<void> {
  const answer = (batch: Job[], a: BatchAnswer) => {
    add(a);
    a.answers.forEach((r, i) => {
      const job = batch[i]!;
      if ('error' in r) return fail(summary, job.path, { code: r.code, message: r.error });
      summary.files.read++;
      summary.lines += r.lines;
      summary.skipped += r.skipped;
      keep(job, r.line, r.own);
    });
  };
  const ahead: Job[] = [];
  let bytes = 0;
  const from = opts.parallelFromBytes ?? PARALLEL_BYTES;
  while (!ahead.length || bytes < from) {
    const n = all.next();
    if (n.done) break;
    ahead.push(n.value);
    bytes += n.value.bytes;
  }
  const batches = batchesOf(chain(ahead, all));
  const threads = opts.threads ?? os.availableParallelism();
  const batchOpts = { creditsPerUsd: opts.creditsPerUsd, byThread };
  if (threads > 1 && bytes >= from) await readOnThreads(batches, threads, batchOpts, answer);
  else if (ahead.length) {
    // The parser is loaded only when a file is read here: a repeat with nothing new needs none.
    const { readBatch } = await import('./usage-batch.js');
    for (const b of batches) {
      const files = b.map(({ path, st, final, checkpoint, old }) => ({ path, st, final, checkpoint, old }));
      answer(b, await readBatch({ id: 0, files, ...batchOpts }));
    }
  }
}

function* chain<T>(first: T[], rest: Iterator<T>): Generator<T> {
  yield* first;
  for (let n = rest.next(); !n.done; n = rest.next()) yield n.value;
}

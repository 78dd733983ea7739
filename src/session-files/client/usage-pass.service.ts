// The usage-only pass behind `steward report` (decision 0027): session files read by the parser's
// usage-only mode and summed per file into quarter hour x model x thread (responses) and quarter
// hour x thread (counted turns), the rows the store's report queries return, so one report builder
// serves both. Each file's sums and its parser checkpoint are kept in a summary cache beside the
// personal store: an unchanged file costs a stat, a grown one is read from its checkpoint, a
// replaced or rewritten one (inode, shrink or the content check of its head) from the start.
// Nothing is kept per file while the pass runs (decision 0054): the listing is walked a directory
// at a time, each file's sums are added to running sums as they come, and only a file's own
// thread is remembered, for the few files of one thread, read again together at the end.
import os from 'node:os';
import { walkImportFiles, type FileEntry } from '../adapter/discover.js';
import { isGzipPath } from '../adapter/decode.js';
import type { RolloutCheckpoint } from '../adapter/parser.js';
import { contentHashesSync, DEFAULT_IDLE_FINAL_MS } from '../adapter/content-check.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';
import { batchesOf, readOnThreads, type ReadJob } from './usage-readers.js';
import { headOf, UsageCache, type CacheEntry } from './usage-cache.js';
import type { BatchAnswer } from './usage-batch.js';
import { SlotSums } from './slot-sums.js';
import { toTuples } from './usage-cache-rows.js';

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

function fail(summary: UsagePassSummary, file: string, e: { code?: string; message: string }): void {
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

type Job = ReadJob & { index: number };

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
  const cache = UsageCache.load(opts.cachePath, opts.creditsPerUsd);
  const sums = new SlotSums(opts.byThread ?? true);
  const owners = new Owners();

  // The listing, walked as the readers ask for files: an unchanged file is added from its cached
  // line on the way, a changed one becomes a job.
  function* jobs(): Generator<Job> {
    for (const f of walkImportFiles(opts.paths, summary.errors)) {
      const index = summary.files.found++;
      const old = cache.take(f.path);
      const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
      if (old && unchanged(f, old.entry, final)) {
        summary.files.unchanged++;
        sums.add(old.entry, old.entry.threadId);
        owners.note(old.entry.threadId, index, old.ref);
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
  const keep = (batch: Job[], a: BatchAnswer) => {
    sums.addBlock(a.sums);
    a.answers.forEach((r, i) => {
      const job = batch[i]!;
      if ('error' in r) return fail(summary, job.path, { code: r.code, message: r.error });
      summary.files.read++;
      summary.lines += r.lines;
      summary.skipped += r.skipped;
      owners.note(r.own, job.index, cache.setLine(job.path, r.line));
    });
  };

  // Threads only when there is enough to read: the first PARALLEL_BYTES are looked for first.
  const all = jobs();
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
  const batchOpts = { creditsPerUsd: opts.creditsPerUsd, byThread: sums.byThread };
  if (threads > 1 && bytes >= from) await readOnThreads(batches, threads, batchOpts, keep);
  else if (ahead.length) {
    // The parser is loaded only when a file is read here: a repeat with nothing new needs none.
    const { readBatch } = await import('./usage-batch.js');
    for (const b of batches) {
      const files = b.map(({ path, st, final, checkpoint, old }) => ({ path, st, final, checkpoint, old }));
      keep(b, await readBatch({ id: 0, files, ...batchOpts }));
    }
  }

  await owners.readTogether(cache, sums, opts.creditsPerUsd);
  try {
    cache.save();
  } catch {
    // a cache that cannot be written costs the next report a re-read, never this one
  }
  return { ...sums.rows(), summary };
}

function* chain<T>(first: T[], rest: Iterator<T>): Generator<T> {
  yield* first;
  for (let n = rest.next(); !n.done; n = rest.next()) yield n.value;
}

/**
 * The files of each thread. The store keeps one row per natural key, and a response's key is scoped
 * to its file's own thread: only files of one thread (a session kept both as .jsonl and .jsonl.gz, a
 * copy in archived_sessions) can repeat each other. Their sums, already added one file at a time,
 * are taken back out and the files read again together, in listing order, with one set of keys, so
 * the first file's record wins as in an import. Per thread only its first file's listing index and
 * cache ref are kept (a few MB for 58,000 files), and the others only for the threads that have them.
 */
class Owners {
  private readonly first = new Map<string, [number, number]>(); // thread -> [listing index, cache ref]
  private readonly more = new Map<string, [number, number][]>();

  note(thread: string | null, index: number, ref: number): void {
    if (!thread) return;
    const f = this.first.get(thread);
    if (!f) this.first.set(thread, [index, ref]);
    else {
      const m = this.more.get(thread);
      if (m) m.push([index, ref]);
      else this.more.set(thread, [f, [index, ref]]);
    }
  }

  async readTogether(cache: UsageCache, sums: SlotSums, creditsPerUsd: number): Promise<void> {
    if (!this.more.size) return;
    const { summarizeFile } = await import('./usage-sums.js');
    for (const [thread, files] of this.more) {
      files.sort((a, b) => a[0] - b[0]);
      const group = files.map(([, ref]) => cache.resolve(ref));
      if (group.some((g) => !g)) throw new Error(`the summary cache lost a line of thread ${thread}`);
      for (const g of group) sums.add(g!.entry, thread, -1);
      const seen = new Set<string>();
      for (const g of group) {
        const r = await summarizeFile(g!.path, { final: g!.entry.final, creditsPerUsd, seen });
        sums.add(toTuples(r, thread), thread);
      }
    }
  }
}

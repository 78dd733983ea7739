// The usage-only pass behind `steward report` (decision 0027): session files read by the parser's
// usage-only mode and summed per file into quarter hour x model x thread (responses) and quarter
// hour x thread (counted turns), the rows the store's report queries return, so one report builder
// serves both. Each file's sums and its parser checkpoint are kept in a summary cache beside the
// personal store: an unchanged file costs a stat, a grown one is read from its checkpoint, a
// replaced or rewritten one (inode, shrink or the content check of its head) from the start.
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import { listImportFiles, type FileEntry } from '../adapter/discover.js';
import { isGzipPath } from '../adapter/lines.js';
import type { RolloutCheckpoint } from '../adapter/parser.js';
import { contentHashes, DEFAULT_IDLE_FINAL_MS } from '../adapter/content-check.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';
import { mergeInto, summarizeFile, type FileRead, type FileSums, type SumJob } from './usage-sums.js';

const CACHE_VERSION = 1;

interface CacheEntry extends FileSums {
  ino: number;
  size: number;
  offset: number; // bytes read (the checkpoint's offset)
  mtimeMs: number;
  head: string | null; // the content check: hashes of the first bytes and of those before `offset`
  final: boolean;
  threadId: string | null; // the file's own thread
  cp: string; // the usage-only parser checkpoint, as JSON (parsed only when the file grew)
}

interface CacheFile {
  v: number;
  creditsPerUsd: number;
  files: Record<string, CacheEntry>;
}

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
const WORKER = siblingModule('usage-sums.worker', import.meta.url);

// The content check, as the import's: hashes of the first bytes and of the bytes just before the
// offset read, so a file rewritten in place is read again from the start.
async function headHash(path: string, offset: number): Promise<string | null> {
  if (isGzipPath(path)) return null;
  const h = await contentHashes(path, offset);
  return `${h.head}:${h.tail}`;
}

function fail(summary: UsagePassSummary, file: string, e: unknown): void {
  const err = e as NodeJS.ErrnoException;
  summary.files.failed++;
  summary.errors.push({ file, code: err.code, message: err.message });
}

async function eachConcurrently<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const run = async () => {
    while (i < items.length) await fn(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, run));
}

/** `threads` worker threads, each given the next file as soon as it answers the last. */
async function workerReader(threads: number) {
  const pending = new Map<number, { resolve: (r: FileRead) => void; reject: (e: Error) => void }>();
  const workers = Array.from({ length: threads }, () => startModuleWorker(WORKER, null));
  const load = workers.map(() => 0);
  let ids = 0;
  for (const [i, w] of workers.entries()) {
    w.on('message', (m: { id: number; read?: FileRead; error?: string; code?: string }) => {
      load[i]!--;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.read) p?.resolve(m.read);
      else p?.reject(Object.assign(new Error(m.error), { code: m.code }));
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  return {
    file: (job: Omit<SumJob, 'id'>) =>
      new Promise<FileRead>((resolve, reject) => {
        const id = ++ids;
        pending.set(id, { resolve, reject });
        const i = load.indexOf(Math.min(...load));
        load[i]!++;
        workers[i]!.postMessage({ ...job, id } satisfies SumJob);
      }),
    close: () => {
      for (const w of workers) w.postMessage(null);
    },
  };
}

async function loadCache(path: string | undefined, creditsPerUsd: number): Promise<CacheFile> {
  const empty = { v: CACHE_VERSION, creditsPerUsd, files: {} };
  if (!path) return empty;
  try {
    const c = JSON.parse(await readFile(path, 'utf8')) as CacheFile;
    // Another version or price setting: costs would differ, so the cache starts over.
    if (c.v !== CACHE_VERSION || c.creditsPerUsd !== creditsPerUsd || typeof c.files !== 'object') return empty;
    return c;
  } catch {
    return empty; // none yet, or unreadable: a cache is never a reason to fail a report
  }
}

async function saveCache(path: string, c: CacheFile): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(c));
  await rename(tmp, path); // readers see the old file or the new one, never half of one
}

type Plan = 'skip' | 'continue' | 'new';

async function plan(f: FileEntry, e: CacheEntry | undefined, final: boolean): Promise<Plan> {
  if (!e) return 'new';
  const st = f.st;
  const same = e.ino === st.ino && e.size === st.size && e.mtimeMs === Math.trunc(st.mtimeMs);
  if (same && (e.final || !final)) return 'skip';
  if (e.ino !== st.ino || isGzipPath(f.path) || st.size < e.offset) return 'new';
  const h = await headHash(f.path, e.offset);
  return h === e.head ? 'continue' : 'new';
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
  const files = await listImportFiles(opts.paths, summary.errors);
  summary.files.found = files.length;
  summary.files.failed = summary.errors.length;
  const cache = await loadCache(opts.cachePath, opts.creditsPerUsd);
  const next: CacheFile = { v: CACHE_VERSION, creditsPerUsd: opts.creditsPerUsd, files: {} };
  const usage = new Map<string, UsageSlotRow>();
  const turns = new Map<string, TurnSlotRow>();
  let changed = false;
  const jobs: { f: FileEntry; old?: CacheEntry; final: boolean; checkpoint?: RolloutCheckpoint }[] = [];
  for (const f of files) {
    const old = cache.files[f.path];
    const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
    try {
      const p = await plan(f, old, final);
      if (p === 'skip' && old) {
        summary.files.unchanged++;
        next.files[f.path] = old;
        continue;
      }
      if (old && p === 'new') summary.files.reset++;
      const checkpoint = p === 'continue' && old ? (JSON.parse(old.cp) as RolloutCheckpoint) : undefined;
      jobs.push({ f, old, final, checkpoint });
    } catch (e) {
      fail(summary, f.path, e);
    }
  }
  if (jobs.length) changed = true;
  const bytes = jobs.reduce((n, j) => n + j.f.st.size - (j.checkpoint?.offset ?? 0), 0);
  const threads = Math.min(jobs.length, opts.threads ?? os.availableParallelism());
  const read =
    threads > 1 && bytes >= (opts.parallelFromBytes ?? PARALLEL_BYTES) ? await workerReader(threads) : undefined;
  try {
    await eachConcurrently(jobs, read ? threads * 2 : 1, async ({ f, old, final, checkpoint }) => {
      try {
        const job = { path: f.path, checkpoint, final, creditsPerUsd: opts.creditsPerUsd };
        const r = read ? await read.file(job) : await summarizeFile(f.path, job);
        summary.files.read++;
        summary.lines += r.lines;
        summary.skipped += r.skipped;
        // A continued read adds to the sums kept for the part read before (unless the parser reset).
        const um = new Map<string, UsageSlotRow>();
        const tm = new Map<string, TurnSlotRow>();
        if (checkpoint && old && !r.reset) mergeInto(um, tm, old);
        mergeInto(um, tm, r);
        const head = await headHash(f.path, r.checkpoint.offset);
        next.files[f.path] = {
          usage: [...um.values()],
          turns: [...tm.values()],
          ino: f.st.ino,
          size: f.st.size,
          offset: r.checkpoint.offset,
          mtimeMs: Math.trunc(f.st.mtimeMs),
          head,
          final,
          threadId: r.threadId ?? null,
          cp: JSON.stringify(r.checkpoint),
        };
      } catch (e) {
        fail(summary, f.path, e);
      }
    });
  } finally {
    read?.close();
  }
  await sumFiles(next, files, opts.creditsPerUsd, now, idle, usage, turns);
  if (Object.keys(cache.files).length !== Object.keys(next.files).length) changed = true;
  if (opts.cachePath && changed) await saveCache(opts.cachePath, next).catch(() => undefined);
  return { usage: [...usage.values()], turns: [...turns.values()], summary };
}

/**
 * Adds up the cached sums. The store keeps one row per natural key, and a response's key is scoped
 * to its file's own thread: only files of one thread (a session kept both as .jsonl and .jsonl.gz,
 * a copy in archived_sessions) can repeat each other. Those few are read again together, in listing
 * order, with one set of keys, so the first file's record wins as in an import.
 */
async function sumFiles(
  next: CacheFile,
  files: FileEntry[],
  creditsPerUsd: number,
  now: () => number,
  idle: number,
  usage: Map<string, UsageSlotRow>,
  turns: Map<string, TurnSlotRow>,
): Promise<void> {
  const byThread = new Map<string, FileEntry[]>();
  for (const f of files) {
    const t = next.files[f.path]?.threadId;
    if (!t) continue;
    const g = byThread.get(t);
    if (g) g.push(f);
    else byThread.set(t, [f]);
  }
  for (const f of files) {
    const e = next.files[f.path];
    if (e && (!e.threadId || byThread.get(e.threadId)!.length === 1)) mergeInto(usage, turns, e);
  }
  for (const group of byThread.values()) {
    if (group.length < 2) continue;
    const seen = new Set<string>();
    for (const f of group) {
      const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
      mergeInto(usage, turns, await summarizeFile(f.path, { final, creditsPerUsd, seen }));
    }
  }
}

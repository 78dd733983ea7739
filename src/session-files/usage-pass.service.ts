// The usage-only pass behind `steward report` (decision 0027): session files read by the parser's
// usage-only mode and summed per file into quarter hour x model x thread (responses) and quarter
// hour x thread (counted turns), the rows the store's report queries return, so one report builder
// serves both. Each file's sums and its parser checkpoint are kept in a summary cache beside the
// personal store: an unchanged file costs a stat, a grown one is read from its checkpoint, a
// replaced or rewritten one (inode, shrink or the content check of its head) from the start.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { priceUsage } from '../core/pricing.js';
import { keyOf } from '../ingest/index.js';
import { listImportFiles, type FileEntry } from './adapter/discover.js';
import { isGzipPath } from './adapter/lines.js';
import { iterateRollout, type RolloutCheckpoint } from './adapter/parser.js';
import { contentHashes, DEFAULT_IDLE_FINAL_MS } from './import.service.js';
import { SLOT_MS, type TurnSlotRow, type UsageSlotRow } from './report.repository.js';

const CACHE_VERSION = 1;

/** One file's sums: what the store would hold for it, grouped as the report reads it. */
export interface FileSums {
  usage: UsageSlotRow[];
  turns: TurnSlotRow[];
}

interface CacheEntry extends FileSums {
  ino: number;
  size: number;
  offset: number; // bytes read (the checkpoint's offset)
  mtimeMs: number;
  head: string | null; // hash of the first bytes read (the content check)
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
}

const uKey = (r: { slot: number; model: string; thread_id: string }) => `${r.slot}\u0000${r.model}\u0000${r.thread_id}`;
const tKey = (r: { slot: number; thread_id: string }) => `${r.slot}\u0000${r.thread_id}`;

function mergeInto(usage: Map<string, UsageSlotRow>, turns: Map<string, TurnSlotRow>, s: FileSums): void {
  for (const r of s.usage) {
    const k = uKey(r);
    const a = usage.get(k);
    if (!a) {
      usage.set(k, { ...r });
      continue;
    }
    a.requests += r.requests;
    a.input_tokens += r.input_tokens;
    a.cached_input_tokens += r.cached_input_tokens;
    a.output_tokens += r.output_tokens;
    a.reasoning_tokens += r.reasoning_tokens;
    a.cost_nusd += r.cost_nusd;
    a.fallback = Math.max(a.fallback, r.fallback);
    a.first_ts = Math.min(a.first_ts, r.first_ts);
    a.last_ts = Math.max(a.last_ts, r.last_ts);
  }
  for (const r of s.turns) {
    const k = tKey(r);
    const a = turns.get(k);
    if (a) a.turns += r.turns;
    else turns.set(k, { ...r });
  }
}

/**
 * Reads one file (from `checkpoint` when given) in usage-only mode; returns the sums of what it read
 * and the new checkpoint. Responses and turns are deduplicated by their natural keys within the file,
 * as the store's unique keys do; a turn counts as the store counts it (a user thread's turn).
 */
export async function summarizeFile(
  path: string,
  opts: { checkpoint?: RolloutCheckpoint; final: boolean; creditsPerUsd: number; seen?: Set<string> },
): Promise<
  FileSums & { checkpoint: RolloutCheckpoint; lines: number; skipped: number; reset: boolean; threadId?: string }
> {
  const usage = new Map<string, UsageSlotRow>();
  const turns = new Map<string, TurnSlotRow>();
  const seen = opts.seen ?? new Set<string>();
  let threadId: string | undefined;
  let checkpoint: RolloutCheckpoint | undefined;
  let lines = 0;
  let skipped = 0;
  let reset = false;
  for await (const r of iterateRollout(path, { checkpoint: opts.checkpoint, final: opts.final, usageOnly: true })) {
    if (r.type === 'done') {
      checkpoint = r.result.checkpoint;
      lines = r.result.stats.lines;
      skipped = r.result.stats.skippedCount;
      reset = r.result.stats.reset !== undefined;
      threadId = r.result.stats.threadId;
      continue;
    }
    if (r.type !== 'event') continue;
    const e = r.event;
    if (e.kind !== 'response' && e.kind !== 'turn') continue;
    const key = keyOf(e);
    if (seen.has(key)) continue;
    seen.add(key);
    const slot = Math.floor(e.ts / SLOT_MS);
    if (e.kind === 'turn') {
      if ((e.threadKind ?? 'user') !== 'user') continue;
      const k = tKey({ slot, thread_id: e.threadId });
      const a = turns.get(k);
      if (a) a.turns++;
      else turns.set(k, { slot, thread_id: e.threadId, turns: 1 });
      continue;
    }
    let priced;
    try {
      priced = priceUsage(e.model, e.tokens, opts.creditsPerUsd);
    } catch (err) {
      if (err instanceof RangeError) continue; // the store drops it too (invalid_attribute)
      throw err;
    }
    const row: UsageSlotRow = {
      slot,
      model: e.model ?? 'unknown',
      thread_id: e.threadId,
      requests: 1,
      input_tokens: e.tokens.input,
      cached_input_tokens: e.tokens.cached,
      output_tokens: e.tokens.output,
      reasoning_tokens: e.tokens.reasoning,
      cost_nusd: priced.costNanoUsd,
      fallback: priced.fallback ? 1 : 0,
      first_ts: e.ts,
      last_ts: e.ts,
    };
    mergeInto(usage, turns, { usage: [row], turns: [] });
  }
  if (!checkpoint) throw new Error('the parser ended without a result');
  return { usage: [...usage.values()], turns: [...turns.values()], checkpoint, lines, skipped, reset, threadId };
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
  const h = await contentHashes(f.path, Math.min(4096, e.offset));
  return h.head === e.head ? 'continue' : 'new';
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
      changed = true;
      if (old && p === 'new') summary.files.reset++;
      const checkpoint = p === 'continue' && old ? (JSON.parse(old.cp) as RolloutCheckpoint) : undefined;
      const r = await summarizeFile(f.path, { checkpoint, final, creditsPerUsd: opts.creditsPerUsd });
      summary.files.read++;
      summary.lines += r.lines;
      summary.skipped += r.skipped;
      // A continued read adds to the sums kept for the part read before (unless the parser reset).
      const sums: FileSums = { usage: [], turns: [] };
      const um = new Map<string, UsageSlotRow>();
      const tm = new Map<string, TurnSlotRow>();
      if (checkpoint && old && !r.reset) mergeInto(um, tm, old);
      mergeInto(um, tm, r);
      sums.usage = [...um.values()];
      sums.turns = [...tm.values()];
      const hashes = await contentHashes(f.path, Math.min(4096, r.checkpoint.offset));
      next.files[f.path] = {
        ...sums,
        ino: f.st.ino,
        size: f.st.size,
        offset: r.checkpoint.offset,
        mtimeMs: Math.trunc(f.st.mtimeMs),
        head: hashes.head,
        final,
        threadId: r.threadId ?? null,
        cp: JSON.stringify(r.checkpoint),
      };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      summary.files.failed++;
      summary.errors.push({ file: f.path, code: err.code, message: err.message });
    }
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

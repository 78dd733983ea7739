// `steward import`: session files into a store, incrementally. Per file the parser checkpoint
// (byte offset, line count, parser state) and a content check (hashes of the first bytes and of
// the bytes before the offset) are kept in rollout_files; an unchanged file costs one stat, a grown
// one is read from its offset, a replaced or rewritten one from the start (its facts are keyed by
// response_id / turn_id, so nothing is counted twice). Bad lines are reported, never fatal.
import os from 'node:os';
import { isGzipPath } from './adapter/lines.js';
import { listImportFiles, type FileEntry } from './adapter/discover.js';
import { contentHashes, DEFAULT_IDLE_FINAL_MS } from './adapter/content-check.js';
import { MAX_UNKNOWN_TYPES, type RolloutCheckpoint, type RolloutStats, type SkipReason } from './adapter/parser.js';
import { writePrepared, type Principal } from '../ingest/index.js';
import { limitCacheForBulk } from '../platform/storage/dialect.js';
import { findFiles, listFileHeads, saveFile, type RolloutFileRow } from './files.repository.js';
import type { IngestDeps } from '../ingest/index.js';
import { addCounts, emptyCounts, type StoredCounts } from './adapter/counts.js';
import type { ReadBatch, ReadEnv, ReadTask } from './import-read.js';
import { inProcessReaders, threadReaders } from './import-readers.js';

export const LOCAL_ORIGIN = 'local';
export { contentHashes, DEFAULT_IDLE_FINAL_MS };
// A batch (one writer job) is cut at this many events + items or bytes of item bodies; a group
// (one transaction) holds what is ready up to GROUP_ROWS rows or GROUP_BYTES, or GROUP_CHECKPOINTS
// files' ends. Figures in BENCHMARKS.md ("The full import on reader threads").
const BATCH_ROWS = 500;
const BATCH_BYTES = 1024 * 1024;
const GROUP_ROWS = 4000;
const GROUP_BYTES = 8 * 1024 * 1024;
const GROUP_CHECKPOINTS = 1000;
// Below this much to read, the reader threads cost more to start than they save.
const PARALLEL_BYTES = 32 * 1024 * 1024;
const MAX_REPORTED_LINES = 200;

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  file?: string;
}

export interface ImportOptions {
  paths: string[];
  principal: Principal;
  hostName?: string;
  creditsPerUsd: number;
  idleFinalMs?: number;
  now?: () => number;
  onProgress?: (p: ImportProgress) => void;
  /** Reader threads (0: read on this thread); default one per core but one when there is enough to read. */
  threads?: number;
  /** Unwritten batches a reader thread may hold (import-readers.ts DEFAULT_CREDITS). */
  credits?: number;
  batchRows?: number;
  batchBytes?: number;
  /** Told how the files were read: the threads and the most the writer held unwritten at once. */
  observe?: (r: { threads: number; peak: { batches: number; bytes: number } }) => void;
}

export interface SkippedLineReport {
  file: string;
  line: number;
  offset: number;
  bytes: number;
  reason: SkipReason | 'trimmed';
  detail?: string;
}

export interface ImportSummary {
  files: { found: number; read: number; unchanged: number; reset: number; failed: number };
  bytes: number;
  lines: number;
  threads: number;
  turns: number;
  responses: number;
  toolCalls: number;
  tokens: { input: number; cached: number; output: number; reasoning: number; total: number };
  stored: StoredCounts;
  skipped: { total: number; byReason: Partial<Record<SkipReason, number>>; lines: SkippedLineReport[] };
  // Lines of a type Steward does not know: kept as content records, counted, not skipped.
  unknown: { total: number; byType: Record<string, number> };
  trimmed: SkippedLineReport[];
  errors: { file: string; code?: string; message: string }[];
  durationMs: number;
}

function emptySummary(): ImportSummary {
  return {
    files: { found: 0, read: 0, unchanged: 0, reset: 0, failed: 0 },
    bytes: 0,
    lines: 0,
    threads: 0,
    turns: 0,
    responses: 0,
    toolCalls: 0,
    tokens: { input: 0, cached: 0, output: 0, reasoning: 0, total: 0 },
    stored: emptyCounts(),
    skipped: { total: 0, byReason: {}, lines: [] },
    unknown: { total: 0, byType: {} },
    trimmed: [],
    errors: [],
    durationMs: 0,
  };
}

type Head = Omit<RolloutFileRow, 'state'>;
type Plan = 'skip' | 'finalize' | 'continue' | 'reset' | 'new';

/**
 * What to do with a file given its stored checkpoint: skip it, finalize it (unchanged since it was
 * read, idle now: what waited for more lines is emitted from the stored parser state, nothing is
 * read again), continue from the checkpoint, or read it again.
 */
async function plan(f: FileEntry, head: Head | undefined, final: boolean): Promise<Plan> {
  if (!head) return 'new';
  const st = f.st;
  const same = head.ino === st.ino && head.size === st.size && head.mtime_ms === Math.trunc(st.mtimeMs);
  if (same && (head.finalized === 1 || !final)) return 'skip';
  if (head.ino !== null && head.ino !== st.ino) return 'reset';
  if (same) return 'finalize';
  if (isGzipPath(f.path)) return 'reset';
  if (st.size < head.read_offset) return 'reset';
  const h = await contentHashes(f.path, head.read_offset);
  if (h.head !== head.head_hash || h.tail !== head.tail_hash) return 'reset';
  return 'continue';
}

interface Planned {
  file: FileEntry;
  plan: Exclude<Plan, 'skip'>;
  head?: Head;
  final: boolean;
}

export async function importRollouts(deps: IngestDeps, opts: ImportOptions): Promise<ImportSummary> {
  const db = deps.db;
  const started = Date.now();
  const now = opts.now ?? Date.now;
  const idle = opts.idleFinalMs ?? DEFAULT_IDLE_FINAL_MS;
  const ws = opts.principal.workspaceId;
  const userId = opts.principal.userId;
  const s = emptySummary();
  const files = listImportFiles(opts.paths, s.errors);
  s.files.found = files.length;
  s.files.failed = s.errors.length;
  const heads = new Map((await listFileHeads(db, ws, LOCAL_ORIGIN)).map((h) => [h.path, h]));
  const bytesTotal = files.reduce((n, f) => n + f.st.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const todo: Planned[] = [];
  for (const f of files) {
    const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
    const head = heads.get(f.path);
    try {
      const p = await plan(f, head, final);
      if (p === 'skip') {
        s.files.unchanged++;
        filesDone++;
        bytesDone += f.st.size;
      } else todo.push({ file: f, plan: p, head, final });
    } catch (e) {
      fail(s, f.path, e);
      filesDone++;
    }
  }
  const progress = (file?: string) =>
    opts.onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, file });
  if (!todo.length) {
    progress();
    s.durationMs = Date.now() - started;
    return s;
  }
  // Peak memory stays within ~256 MB on a gigabyte of sessions (bench/import.bench.ts).
  await limitCacheForBulk(db, 4 * 1024);
  const policy = await deps.policies.for(db, ws);
  const tasks = await readTasks(db, ws, todo);
  const env: ReadEnv = {
    principal: opts.principal,
    origin: LOCAL_ORIGIN,
    hostName: opts.hostName,
    creditsPerUsd: opts.creditsPerUsd,
    policy,
    batchRows: opts.batchRows ?? BATCH_ROWS,
    batchBytes: opts.batchBytes ?? BATCH_BYTES,
  };
  const readBytes = todo.reduce((n, t) => n + Math.max(0, t.file.st.size - (t.head?.read_offset ?? 0)), 0);
  // One reader per core besides the one this thread writes on (at least one).
  const threads = opts.threads ?? (readBytes >= PARALLEL_BYTES ? Math.max(1, os.availableParallelism() - 1) : 0);
  const readers = threads > 0 ? threadReaders(tasks, env, threads, opts.credits) : inProcessReaders(tasks, env);
  const threadIds = new Set<string>();

  // Batches are written in groups, one transaction each: what the readers have ready when the
  // writer is free (they read on while it writes), up to GROUP_ROWS rows. A file's checkpoint is
  // saved after the transaction that holds its last batch: a crash in between re-reads, never loses.
  let group: { id: number; batch: ReadBatch }[] = [];
  let groupRows = 0;
  let groupBytes = 0;
  let checkpoints: RolloutFileRow[] = [];
  const write = async () => {
    if (group.length) {
      const written = await Promise.all(
        group.map(({ batch }) =>
          writePrepared(deps, opts.principal, batch.events, batch.items, { policy, hostName: opts.hostName }),
        ),
      );
      for (const w of written) {
        addCounts(s.stored, w.stored);
        s.stored.content += w.items;
      }
    }
    if (checkpoints.length)
      await db.transaction().execute(async (trx) => {
        for (const c of checkpoints) await saveFile(trx, c);
      });
    for (const g of group) readers.ack(g.id, g.batch);
    group = [];
    groupRows = 0;
    groupBytes = 0;
    checkpoints = [];
  };

  try {
    progress(todo[0]!.file.path);
    for await (const m of readers.messages()) {
      if (m.type === 'idle') {
        // Waiting on the readers: write now if they wait on the writer, or if there is enough to
        // be worth a transaction (each commit costs, whatever its size).
        if (m.stalled || groupRows >= GROUP_ROWS / 4 || checkpoints.length >= GROUP_CHECKPOINTS / 4) await write();
        continue;
      }
      const t = todo[m.id]!;
      if (m.type === 'batch') {
        group.push({ id: m.id, batch: m.batch });
        groupRows += m.batch.rows;
        groupBytes += m.batch.bytes;
        if (groupRows >= GROUP_ROWS || groupBytes >= GROUP_BYTES) await write();
        continue;
      }
      if (m.type === 'error') fail(s, t.file.path, m.error);
      else {
        const { stats, checkpoint: cp, hashes } = m.done;
        const resumed = tasks[m.id]!.checkpoint;
        // A file re-read only to be finalized (nothing new in it) counts as unchanged.
        if (resumed && cp.offset === resumed.offset) s.files.unchanged++;
        else s.files.read++;
        if (t.plan === 'reset') s.files.reset++;
        account(s, t.file.path, stats);
        if (stats.threadId) threadIds.add(stats.threadId);
        checkpoints.push({
          workspace_id: ws,
          origin: LOCAL_ORIGIN,
          path: t.file.path,
          user_id: userId,
          thread_id: stats.threadId ?? null,
          ino: cp.ino ?? t.file.st.ino,
          size: cp.size ?? t.file.st.size,
          mtime_ms: Math.trunc(t.file.st.mtimeMs),
          read_offset: cp.offset,
          read_lines: cp.lines,
          head_hash: hashes.head,
          tail_hash: hashes.tail,
          state: JSON.stringify(cp.state),
          skipped: (resumed ? (t.head?.skipped ?? 0) : 0) + stats.skippedCount,
          finalized: t.final ? 1 : 0,
          updated_at: now(),
        });
        if (checkpoints.length >= GROUP_CHECKPOINTS) await write();
      }
      filesDone++;
      bytesDone += t.file.st.size;
      progress(todo[m.id + 1]?.file.path);
    }
    await write();
  } finally {
    await readers.close();
  }
  opts.observe?.({ threads, peak: readers.peak });
  progress();
  s.threads = threadIds.size;
  s.durationMs = Date.now() - started;
  return s;
}

/** The readers' tasks: the stored checkpoints of the files read on from one (one query per 500). */
async function readTasks(db: IngestDeps['db'], ws: string, todo: Planned[]): Promise<ReadTask[]> {
  const resumed = todo.filter((t) => t.plan === 'continue' || t.plan === 'finalize').map((t) => t.file.path);
  const rows = new Map<string, RolloutFileRow>();
  for (let i = 0; i < resumed.length; i += 500)
    for (const r of await findFiles(db, ws, LOCAL_ORIGIN, resumed.slice(i, i + 500))) rows.set(r.path, r);
  return todo.map((t, id) => {
    const row = rows.get(t.file.path);
    const checkpoint: RolloutCheckpoint | undefined = row
      ? {
          v: 1,
          path: t.file.path,
          offset: row.read_offset,
          lines: row.read_lines,
          size: row.size,
          ino: row.ino ?? undefined,
          state: JSON.parse(row.state),
        }
      : undefined;
    const hashes = row && t.plan === 'finalize' ? { head: row.head_hash, tail: row.tail_hash } : undefined;
    return { id, path: t.file.path, checkpoint, final: t.final, hashes };
  });
}

function fail(s: ImportSummary, file: string, e: unknown): void {
  const err = e as { code?: string; message: string };
  s.files.failed++;
  s.errors.push({ file, code: err.code, message: err.message });
}

function account(s: ImportSummary, file: string, st: RolloutStats): void {
  s.bytes += Math.max(0, st.endOffset - st.startOffset);
  s.lines += st.lines;
  s.turns += st.turns;
  s.responses += st.responses;
  s.toolCalls += st.toolCalls;
  s.tokens.input += st.tokens.input;
  s.tokens.cached += st.tokens.cached;
  s.tokens.output += st.tokens.output;
  s.tokens.reasoning += st.tokens.reasoning;
  s.tokens.total += st.tokens.total;
  s.skipped.total += st.skippedCount;
  for (const [r, n] of Object.entries(st.skippedByReason))
    s.skipped.byReason[r as SkipReason] = (s.skipped.byReason[r as SkipReason] ?? 0) + (n ?? 0);
  s.unknown.total += st.unknownLines;
  for (const [type, n] of Object.entries(st.unknownTypes)) {
    const by = s.unknown.byType;
    // As per file (parser/context.ts), a bound on the distinct names the summary lists.
    const t = Object.hasOwn(by, type) || Object.keys(by).length < MAX_UNKNOWN_TYPES ? type : '(more)';
    by[t] = (by[t] ?? 0) + n;
  }
  for (const k of st.skipped) {
    if (s.skipped.lines.length >= MAX_REPORTED_LINES) break;
    s.skipped.lines.push({ file, line: k.line, offset: k.offset, bytes: k.bytes, reason: k.reason, detail: k.detail });
  }
  for (const t of st.trimmed) {
    if (s.trimmed.length >= MAX_REPORTED_LINES) break;
    s.trimmed.push({
      file,
      line: t.line,
      offset: t.offset,
      bytes: t.bytes,
      reason: 'trimmed',
      detail: t.type
        ? `line over its size limit (${t.type}): only its head was read`
        : 'line over its size limit: only its head was read',
    });
  }
  if (st.readError) s.errors.push({ file, message: st.readError });
}

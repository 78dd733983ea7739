// `steward import`: session files into a store, incrementally. Per file the parser checkpoint
// (byte offset, line count, parser state) and a content check (hashes of the first bytes and of
// the bytes before the offset) are kept in rollout_files; an unchanged file costs one stat, a grown
// one is read from its offset, a replaced or rewritten one from the start (its facts are keyed by
// response_id / turn_id, so nothing is counted twice). Bad lines are reported, never fatal.
import { ContentApplier } from '../core/content-policy.js';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isGzipPath } from './adapter/lines.js';
import { listImportFiles, type FileEntry } from './adapter/discover.js';
import {
  iterateRollout,
  MAX_UNKNOWN_TYPES,
  type RolloutCheckpoint,
  type RolloutEvent,
  type RolloutStats,
  type SkipReason,
} from './adapter/parser.js';
import type { Principal } from '../ingest/index.js';
import { limitCacheForBulk } from '../platform/storage/dialect.js';
import { findFile, listFileHeads, saveFile, type RolloutFileRow } from './files.repository.js';
import type { SessionItem } from '../core/session-items.js';
import type { IngestDeps } from '../ingest/index.js';
import { addCounts, emptyCounts, type StoredCounts } from './adapter/counts.js';
import { ContentKeyer, contentItem, storeRolloutBatch } from './store.service.js';

export const LOCAL_ORIGIN = 'local';
/**
 * A file not modified for this long is complete: what waits for more lines (a turn cut off before its
 * prompt, a tool call without output) is emitted.
 */
export const DEFAULT_IDLE_FINAL_MS = 60_000;
const HASH_BYTES = 4096;
const BATCH_EVENTS = 250;
const BATCH_CONTENT_ROWS = 250;
const BATCH_CONTENT_BYTES = 1024 * 1024;
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

async function hashRange(path: string, start: number, length: number): Promise<string | null> {
  if (length <= 0) return null;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, start);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
  } finally {
    await fh.close();
  }
}

/** The content check: hashes of the first bytes and of the bytes just before `offset`. */
export async function contentHashes(
  path: string,
  offset: number,
): Promise<{ head: string | null; tail: string | null }> {
  if (isGzipPath(path)) return { head: null, tail: null };
  const headLen = Math.min(HASH_BYTES, offset);
  const tailStart = Math.max(0, offset - HASH_BYTES);
  return { head: await hashRange(path, 0, headLen), tail: await hashRange(path, tailStart, offset - tailStart) };
}

type Head = Omit<RolloutFileRow, 'state'>;

/** What to do with a file given its stored checkpoint: skip it, continue from the checkpoint, or read it again. */
async function plan(
  f: FileEntry,
  head: Head | undefined,
  final: boolean,
): Promise<'skip' | 'continue' | 'reset' | 'new'> {
  if (!head) return 'new';
  const st = f.st;
  const same = head.ino === st.ino && head.size === st.size && head.mtime_ms === Math.trunc(st.mtimeMs);
  if (same && (head.finalized === 1 || !final)) return 'skip';
  if (head.ino !== null && head.ino !== st.ino) return 'reset';
  if (isGzipPath(f.path)) return same ? 'continue' : 'reset';
  if (st.size < head.read_offset) return 'reset';
  const h = await contentHashes(f.path, head.read_offset);
  if (h.head !== head.head_hash || h.tail !== head.tail_hash) return 'reset';
  return 'continue';
}

export async function importRollouts(deps: IngestDeps, opts: ImportOptions): Promise<ImportSummary> {
  const db = deps.db;
  const started = Date.now();
  const now = opts.now ?? Date.now;
  const idle = opts.idleFinalMs ?? DEFAULT_IDLE_FINAL_MS;
  const ws = opts.principal.workspaceId;
  const userId = opts.principal.userId;
  const s = emptySummary();
  const files = await listImportFiles(opts.paths, s.errors);
  s.files.found = files.length;
  s.files.failed = s.errors.length;
  const heads = new Map((await listFileHeads(db, ws, LOCAL_ORIGIN)).map((h) => [h.path, h]));
  // Peak memory stays within ~256 MB on a gigabyte of sessions (bench/import.bench.ts).
  await limitCacheForBulk(db, 4 * 1024);
  // One memory of applied texts per batch: an item and the event it repeats are scanned once.
  const policy = new ContentApplier(await deps.policies.for(db, ws));
  const threads = new Set<string>();

  const bytesTotal = files.reduce((n, f) => n + f.st.size, 0);
  let bytesDone = 0;
  let events: RolloutEvent[] = [];
  let content: SessionItem[] = [];
  let contentBytes = 0;
  let checkpoints: RolloutFileRow[] = [];
  const flush = async () => {
    if (events.length || content.length) {
      const r = await storeRolloutBatch(deps, opts.principal, events, content, {
        hostName: opts.hostName,
        creditsPerUsd: opts.creditsPerUsd,
        contentApplier: policy,
      });
      addCounts(s.stored, r);
    }
    policy.clear();
    if (checkpoints.length)
      await db.transaction().execute(async (trx) => {
        for (const c of checkpoints) await saveFile(trx, c);
      });
    events = [];
    content = [];
    contentBytes = 0;
    checkpoints = [];
  };

  let done = 0;
  for (const f of files) {
    opts.onProgress?.({ filesDone: done, filesTotal: files.length, bytesDone, bytesTotal, file: f.path });
    const final = isGzipPath(f.path) || now() - f.st.mtimeMs >= idle;
    const head = heads.get(f.path);
    try {
      const p = await plan(f, head, final);
      if (p === 'skip') {
        s.files.unchanged++;
      } else {
        if (p === 'reset') s.files.reset++;
        let checkpoint: RolloutCheckpoint | undefined;
        if (p === 'continue') {
          const row = await findFile(db, ws, LOCAL_ORIGIN, f.path);
          if (row)
            checkpoint = {
              v: 1,
              path: f.path,
              offset: row.read_offset,
              lines: row.read_lines,
              size: row.size,
              ino: row.ino ?? undefined,
              state: JSON.parse(row.state),
            };
        }
        const keyer = new ContentKeyer();
        let stats: RolloutStats | undefined;
        let cp: RolloutCheckpoint | undefined;
        for await (const r of iterateRollout(f.path, { checkpoint, final, content: true })) {
          if (r.type === 'event') {
            events.push(r.event);
            if (events.length >= BATCH_EVENTS) await flush();
          } else if (r.type === 'content') {
            const item = contentItem(r.content, keyer.key(r.content), ws, userId, LOCAL_ORIGIN, policy);
            content.push(item);
            contentBytes += item.bytes;
            if (content.length >= BATCH_CONTENT_ROWS || contentBytes >= BATCH_CONTENT_BYTES) await flush();
          } else {
            stats = r.result.stats;
            cp = r.result.checkpoint;
          }
        }
        if (!stats || !cp) throw new Error('the parser ended without a result');
        // A file re-read only to be finalized (nothing new in it) counts as unchanged.
        if (p === 'continue' && checkpoint && cp.offset === checkpoint.offset) s.files.unchanged++;
        else s.files.read++;
        account(s, f.path, stats);
        if (stats.threadId) threads.add(stats.threadId);
        const hashes = await contentHashes(f.path, cp.offset);
        checkpoints.push({
          workspace_id: ws,
          origin: LOCAL_ORIGIN,
          path: f.path,
          user_id: userId,
          thread_id: stats.threadId ?? null,
          ino: cp.ino ?? f.st.ino,
          size: cp.size ?? f.st.size,
          mtime_ms: Math.trunc(f.st.mtimeMs),
          read_offset: cp.offset,
          read_lines: cp.lines,
          head_hash: hashes.head,
          tail_hash: hashes.tail,
          state: JSON.stringify(cp.state),
          skipped: (p === 'continue' ? (head?.skipped ?? 0) : 0) + stats.skippedCount,
          finalized: final ? 1 : 0,
          updated_at: now(),
        });
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      s.files.failed++;
      s.errors.push({ file: f.path, code: err.code, message: err.message });
    }
    done++;
    bytesDone += f.st.size;
  }
  await flush();
  opts.onProgress?.({ filesDone: done, filesTotal: files.length, bytesDone, bytesTotal });
  s.threads = threads.size;
  s.durationMs = Date.now() - started;
  return s;
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

// Client side of session-file uploads (steward push, steward collect). Per file a local state
// (inode, size, mtime, the offset and line count the server acknowledged, a hash of the first bytes)
// is kept in a JSON state file, written atomically after every acknowledged request, so a killed
// collector resumes where the server stands: at worst it re-sends one request, which the server
// trims (it keeps its own checkpoint per machine and path). Only complete lines are sent.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { StewardError } from '../../core/errors.js';
import { isGzipPath } from '../adapter/decode.js';
import type { WireLine } from '../adapter/lines.js';
import type { UploadResult } from '../adapter/upload.js';
import { UPLOAD_MAX_FILES } from '../adapter/upload-limits.js';
import { listImportFiles } from '../adapter/discover.js';
import { addCounts, emptyCounts, type StoredCounts } from '../adapter/counts.js';

const gzip = promisify(zlib.gzip);
export const ROLLOUTS_ENDPOINT = '/v1/ingest/rollouts';
const HEAD_BYTES = 4096;

export interface FileState {
  ino?: number;
  size: number;
  mtimeMs: number;
  offset: number; // acknowledged by the server
  line: number;
  head?: string | null; // sha256 of the first bytes when last sent
  finalized?: boolean;
  reset?: boolean; // the next upload of this file starts over (file replaced)
}

export interface PushState {
  v: 1;
  server: string;
  files: Record<string, FileState>;
}

export interface PushOptions {
  server: string; // base URL
  key: string;
  paths: string[];
  statePath: string;
  host: string;
  installationId?: string;
  idleFinalMs?: number;
  maxRequestBytes?: number;
  timeoutMs?: number;
  now?: () => number;
}

export interface PushSummary {
  files: number; // files with new data sent
  requests: number;
  lines: number;
  bytes: number;
  skipped: number;
  unknown: number; // lines of a type the server does not know: kept, not skipped
  stored: StoredCounts;
  errors: { file: string; message: string }[];
}

/** A failure worth retrying later (network, 5xx, 429, 503): the collector backs off and tries again. */
export class RetryableUploadError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function defaultStatePath(stateDir: string, server: string): string {
  return path.join(
    stateDir,
    `push-${createHash('sha256').update(server.replace(/\/+$/, '')).digest('hex').slice(0, 12)}.json`,
  );
}

export async function loadState(file: string, server: string): Promise<PushState> {
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as PushState;
    if (s.v === 1 && s.server === server && s.files && typeof s.files === 'object') return s;
  } catch {
    /* missing or unreadable: start over (the server trims what it already has) */
  }
  return { v: 1, server, files: {} };
}

export async function saveState(file: string, state: PushState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

export async function readInstallationId(codexHome: string): Promise<string | undefined> {
  try {
    const id = (await readFile(path.join(codexHome, 'installation_id'), 'utf8')).trim();
    return id && id.length <= 200 ? id : undefined;
  } catch {
    return undefined;
  }
}

async function headHash(file: string, size: number): Promise<string | null> {
  if (isGzipPath(file) || size === 0) return null;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
  } finally {
    await fh.close();
  }
}

interface Pending {
  path: string;
  st: { ino: number; size: number; mtimeMs: number };
  final: boolean;
}

/** Files with something to send: new or grown ones, replaced ones (reset), idle ones not yet finalized. */
async function pendingFiles(opts: PushOptions, state: PushState, errors: PushSummary['errors']): Promise<Pending[]> {
  const listErrors: { file: string; message: string }[] = [];
  const files = listImportFiles(opts.paths, listErrors);
  errors.push(...listErrors);
  const now = (opts.now ?? Date.now)();
  const idle = opts.idleFinalMs ?? 60_000;
  const out: Pending[] = [];
  for (const f of files) {
    const st = { ino: f.st.ino, size: f.st.size, mtimeMs: Math.trunc(f.st.mtimeMs) };
    const final = isGzipPath(f.path) || now - f.st.mtimeMs >= idle;
    const s = state.files[f.path];
    if (!s) {
      out.push({ path: f.path, st, final });
      continue;
    }
    const same = s.ino === st.ino && s.size === st.size && s.mtimeMs === st.mtimeMs;
    // Unchanged and either finalized, or fully sent and not idle yet: nothing to do.
    if (same && !s.reset && (s.finalized || (!final && s.offset >= st.size))) continue;
    // Replaced (new inode), shrunk, or rewritten (different first bytes): start over.
    let replaced = s.ino !== undefined && s.ino !== st.ino;
    if (!isGzipPath(f.path)) {
      if (st.size < s.offset) replaced = true;
      else if (s.head !== undefined && s.offset > 0) {
        try {
          if ((await headHash(f.path, Math.min(st.size, s.offset))) !== s.head) replaced = true;
        } catch (e) {
          errors.push({ file: f.path, message: (e as Error).message });
          continue;
        }
      }
    } else if (!same) replaced = true;
    if (replaced) state.files[f.path] = { ...s, offset: 0, line: 0, reset: true, finalized: false };
    else if (!same) s.finalized = false;
    out.push({ path: f.path, st, final });
  }
  return out;
}

interface UploadFileBody {
  path: string;
  thread_id?: string;
  offset: number;
  line: number;
  lines: WireLine[];
  reset?: boolean;
  final?: boolean;
  mtime_ms: number;
  size: number;
}

async function post(opts: PushOptions, body: unknown): Promise<UploadResult> {
  const json = Buffer.from(JSON.stringify(body));
  const gz = await gzip(json, { level: 1 });
  let res: Response;
  try {
    res = await fetch(new URL(ROLLOUTS_ENDPOINT, opts.server), {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gz,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (e) {
    const err = e as Error;
    throw new RetryableUploadError(
      `cannot reach ${opts.server}: ${err.cause ? (err.cause as Error).message : err.message}`,
    );
  }
  const text = await res.text();
  if (res.ok) return JSON.parse(text) as UploadResult;
  let msg = text.slice(0, 500);
  try {
    msg = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? msg;
  } catch {
    /* not JSON */
  }
  if (res.status === 429 || res.status >= 500) {
    const ra = Number(res.headers.get('retry-after'));
    throw new RetryableUploadError(
      `${opts.server} answered ${res.status}: ${msg}`,
      Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined,
    );
  }
  if (res.status === 401) throw new StewardError('invalid_key', `the server refused the key: ${msg}`);
  if (res.status === 403) throw new StewardError('forbidden_scope', `the server refused the upload: ${msg}`);
  if (res.status === 413) throw new StewardError('body_too_large', msg);
  throw new StewardError('invalid_request', `the server refused the upload (${res.status}): ${msg}`);
}

/**
 * One pass: sends everything new in the files, request by request, until nothing is left.
 * Throws RetryableUploadError when the server is unreachable or busy (state saved up to there).
 */
export async function pushOnce(opts: PushOptions, state: PushState): Promise<PushSummary> {
  // Loaded here, not with this module: `steward report` loads this capability's index too and,
  // with nothing new to read, needs no parser (decision 0054).
  const { readLineBatches, toWireLine } = await import('../adapter/lines.js');
  const sum: PushSummary = {
    files: 0,
    requests: 0,
    lines: 0,
    bytes: 0,
    skipped: 0,
    unknown: 0,
    stored: emptyCounts(),
    errors: [],
  };
  let maxBytes = opts.maxRequestBytes ?? 4 * 1024 * 1024;
  let pending = await pendingFiles(opts, state, sum.errors);
  const touched = new Set<string>();
  while (pending.length) {
    const body: { host: string; installation_id?: string; files: UploadFileBody[] } = {
      host: opts.host,
      ...(opts.installationId ? { installation_id: opts.installationId } : {}),
      files: [],
    };
    let budget = maxBytes;
    const sent = new Map<
      string,
      { p: Pending; endOffset: number; endLine: number; head?: string | null; whole: boolean }
    >();
    for (const p of pending) {
      if (budget <= 0 || body.files.length >= UPLOAD_MAX_FILES) break;
      const s = state.files[p.path] ?? { size: 0, mtimeMs: 0, offset: 0, line: 0 };
      let lines: WireLine[] = [];
      let endOffset = s.offset;
      let endLine = s.line;
      // A batch smaller than the room it had ended at the end of the file's complete lines.
      let whole = true;
      try {
        for await (const b of readLineBatches(p.path, s.offset, s.line, budget)) {
          lines = b.lines.map(toWireLine);
          endOffset = b.endOffset;
          endLine = b.endLine;
          whole = b.approxBytes < budget;
          budget -= b.approxBytes;
          break; // one batch per file per request; the rest goes in the next one
        }
      } catch (e) {
        sum.errors.push({ file: p.path, message: (e as Error).message });
        continue;
      }
      const final = p.final && whole;
      if (!lines.length && !final && !s.reset) continue;
      if (!lines.length && final && s.finalized) continue;
      body.files.push({
        path: p.path,
        offset: s.offset,
        line: s.line,
        lines,
        ...(s.reset ? { reset: true } : {}),
        ...(final ? { final: true } : {}),
        mtime_ms: p.st.mtimeMs,
        size: p.st.size,
      });
      sent.set(p.path, {
        p,
        endOffset,
        endLine,
        head: s.offset === 0 || s.head === undefined || s.reset ? undefined : s.head,
        whole,
      });
    }
    if (!body.files.length) break;
    let res: UploadResult;
    try {
      res = await post(opts, body);
    } catch (e) {
      if (e instanceof StewardError && e.code === 'body_too_large' && maxBytes > 64 * 1024) {
        maxBytes = Math.floor(maxBytes / 4);
        continue;
      }
      throw e;
    }
    sum.requests++;
    addCounts(sum.stored, res.stored);
    const next: Pending[] = [];
    for (const f of res.files) {
      const x = sent.get(f.path);
      if (!x) continue;
      const prev = state.files[f.path];
      const bodyFile = body.files.find((b) => b.path === f.path)!;
      if (f.status === 'conflict') {
        // Our line boundaries and the server's disagree: the file changed under us. Start over.
        state.files[f.path] = {
          ino: x.p.st.ino,
          size: x.p.st.size,
          mtimeMs: x.p.st.mtimeMs,
          offset: 0,
          line: 0,
          reset: true,
        };
        next.push(x.p);
        continue;
      }
      // stored | duplicate | gap: continue from where the server stands.
      state.files[f.path] = {
        ino: x.p.st.ino,
        size: x.p.st.size,
        mtimeMs: x.p.st.mtimeMs,
        offset: f.offset,
        line: f.line,
        head: f.offset > 0 ? await headHash(f.path, Math.min(x.p.st.size, f.offset)).catch(() => null) : null,
        finalized: Boolean(bodyFile.final) && f.status !== 'gap' && f.offset >= x.endOffset,
      };
      if (f.status === 'stored') {
        touched.add(f.path);
        sum.lines += f.lines;
        sum.skipped += f.skipped;
        sum.unknown += f.unknown ?? 0;
        sum.bytes += Math.max(0, f.offset - (prev?.reset ? 0 : (prev?.offset ?? 0)));
      }
      if (f.status === 'gap' || f.offset < x.endOffset || !x.whole || (x.p.final && !state.files[f.path]!.finalized))
        next.push(x.p);
    }
    await saveState(opts.statePath, state);
    // Files left out of this request for lack of room come next, then those with more to send.
    const inRequest = new Set(body.files.map((b) => b.path));
    pending = [...next, ...pending.filter((p) => !inRequest.has(p.path))];
  }
  sum.files = touched.size;
  return sum;
}

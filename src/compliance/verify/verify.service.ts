// Recomputes a workspace's chain from the database (or an exported file) and names the first
// record that does not match. Reads keyset pages of records (constant memory).
import os from 'node:os';
import { setImmediate } from 'node:timers/promises';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { siblingModule, startModuleWorker } from '../../platform/workers/module-worker.js';
import { ChainVerifier, type ChainProblem } from '../../core/chain-verifier.js';
import { GENESIS_HASH, parseRecordLine, sha256hex, type Checkpoint } from '../../core/compliance.js';
import type { DbOrTrx, Store } from '../../platform/storage/database.js';
import { findRecordsBySeq, getHead } from '../chain/chain.repository.js';
import { scanRecords } from '../chain/scan.repository.js';
import { listRemovalSeqs } from '../retention/retention.repository.js';
import { maxStoredSeq } from '../chain/integrity.repository.js';
import { findWorkspace } from '../../platform/tenancy/workspaces.repository.js';
import { StewardError } from '../../core/errors.js';
import { parseRemoval, REMOVAL_ACTION, RemovalCoverage, type Removal } from '../../core/compliance-removals.js';
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
import { checkSignature, keyIdOf, storedCheckpoints } from './checkpoint.service.js';
import { checkLogIndex, logIndexProblem, type LogIndexCheck } from '../reads/log-index.service.js';

export interface VerifyReport {
  object: 'compliance.verification';
  workspace_id: string;
  ok: boolean;
  records: number;
  content_removed_by_retention: number;
  head: { seq: number; hash: string } | null;
  first_bad: ChainProblem | null;
  problems: number;
  checkpoints_checked: number;
  // The newest checkpoint signed by the trusted key: an outside witness compares it with the ones
  // it was sent (a truncated chain whose later checkpoints were deleted shows an older one here).
  newest_checkpoint: { seq: number; hash: string; signed_at: string; key_id: string } | null;
  // The log-file index recomputed from the records (it is not chained): the rows that differ.
  log_index: LogIndexCheck;
  // Which key signed each checkpoint looked at (stored and handed in), one entry per key: after a
  // rotation, the old key's and the new key's; `trusted` says whether verify was told to trust it.
  checkpoint_keys: CheckpointKey[];
  duration_ms: number;
}

export interface CheckpointKey {
  key_id: string; // of the public key the checkpoint carries (and its signature is checked with)
  trusted: boolean;
  checkpoints: number;
  seqs: number[]; // ascending
}

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
async function runRanges(db: DbOrTrx, jobs: RangeJob[], threads: number): Promise<RangeResult[]> {
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

export interface VerifyOptions {
  checkpoints?: Checkpoint[]; // handed in by a third party (stored ones are always checked)
  // The public keys (SPKI DER, base64) a checkpoint may be signed with, any one of them (several
  // after a key rotation): stored checkpoints signed by any other key are reported (anyone who can
  // write the database can sign with a key of their own). Without one, no checkpoint is trusted,
  // and stored ones are reported as such.
  publicKeys?: readonly string[];
  // Large chains are split into ranges checked concurrently: on PostgreSQL by this thread on one
  // connection each, on SQLite by this thread with helper threads (each with its own connection);
  // `workers` counts the checkers (default: the machine's cores).
  store?: Pick<Store, 'options'>;
  workers?: number;
  parallelFrom?: number; // records (default 100,000)
  rangeSize?: number; // records per range (default: about six ranges per thread)
}

export async function verifyChain(db: DbOrTrx, workspaceId: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const head = await getHead(db, workspaceId);
  // An id with nothing under it (no workspace, no chain) would "verify" 0 records: a typo must not
  // pass an integrity check. Records whose workspace row is gone are still verified.
  if (!head && !(await findWorkspace(db, workspaceId)) && !(await maxStoredSeq(db, workspaceId))) {
    throw new StewardError('not_found', `workspace ${workspaceId} does not exist: nothing to verify`);
  }
  const bad: ChainProblem[] = [];
  const note = (p: ChainProblem) => bad.push(p);
  // Removals are explained only by chained "retention.removed" records; compliance_removals says
  // where they are, and each is read back from the chain and checked here (the chain walk checks
  // its hash).
  const removals: Removal[] = [];
  const removalSeqs = (await listRemovalSeqs(db, workspaceId)).filter((s) => !head || s <= head.seq);
  for (const r of await findRecordsBySeq(db, workspaceId, removalSeqs)) {
    const m =
      sha256hex(r.content ?? '') === r.content_sha256
        ? parseRemoval(r)
        : `the retention removal at seq ${r.seq} does not match its content hash`;
    if (typeof m === 'string') note({ seq: r.seq, id: r.id, reason: 'invalid_removal', detail: m });
    else removals.push(m);
  }
  // Checkpoints signed earlier (stored, or handed in) must still match the chain, and be signed
  // with a trusted key.
  const checkpoints: [number, string][] = [];
  const stored = await storedCheckpoints(db, workspaceId, 1000);
  const trusted = new Set(opts.publicKeys ?? []);
  const trustedIds = [...trusted].map(keyIdOf).join(', ');
  // Each stored checkpoint names the one its key stored before: one deleted in between is missing.
  const trustedSeqs = new Set(stored.filter((c) => trusted.has(c.public_key) && checkSignature(c)).map((c) => c.seq));
  for (const c of stored) {
    if (
      !trustedSeqs.has(c.seq) ||
      !c.prev_seq ||
      trustedSeqs.has(c.prev_seq) ||
      (stored.length >= 1000 && c.prev_seq < Math.min(...trustedSeqs))
    )
      continue;
    note({
      seq: c.prev_seq,
      id: null,
      reason: 'checkpoint_missing',
      detail: `the checkpoint for seq ${c.seq} follows one for seq ${c.prev_seq}, which is no longer stored`,
    });
  }
  const byKey = new Map<string, CheckpointKey>();
  for (const c of [...(opts.checkpoints ?? []), ...stored]) {
    if (c.workspace_id !== workspaceId) continue;
    // Named by the key it carries, not by its key_id field, which a forger could set to anything.
    const keyId = keyIdOf(String(c.public_key ?? ''));
    const k = byKey.get(keyId) ?? { key_id: keyId, trusted: trusted.has(c.public_key), checkpoints: 0, seqs: [] };
    byKey.set(keyId, k);
    k.checkpoints++;
    k.seqs.push(c.seq);
    if (!trusted.size) {
      const where =
        'no trusted public key is configured ([compliance] public_key / public_keys, the signing key, or --public-key)';
      const detail = `the checkpoint for seq ${c.seq} cannot be checked: ${where}`;
      note({ seq: c.seq, id: null, reason: 'checkpoint_untrusted', detail });
    } else if (!k.trusted) {
      const detail = `the checkpoint for seq ${c.seq} is signed by key ${keyId}, not a trusted key (${trustedIds})`;
      note({ seq: c.seq, id: null, reason: 'checkpoint_untrusted', detail });
    } else if (checkSignature(c)) checkpoints.push([c.seq, c.hash]);
    else {
      const detail = `the checkpoint for seq ${c.seq} does not carry a valid signature by key ${keyId}`;
      note({ seq: c.seq, id: null, reason: 'checkpoint_mismatch', detail });
    }
  }
  for (const k of byKey.values()) k.seqs.sort((a, b) => a - b);
  const results: RangeResult[] = [];
  const total = head?.seq ?? 0;
  if (head && total > 0) {
    const threads =
      opts.store?.options && total >= (opts.parallelFrom ?? 100_000)
        ? Math.max(1, Math.min(opts.workers ?? os.availableParallelism(), 8))
        : 1;
    const size =
      opts.rangeSize ?? (threads === 1 ? total : Math.min(200_000, Math.max(10_000, Math.ceil(total / (threads * 6)))));
    const bounds: number[] = [];
    for (let b = 0; b < total; b += size) bounds.push(b);
    bounds.push(total);
    const anchors = new Map((await findRecordsBySeq(db, workspaceId, bounds.slice(1, -1))).map((r) => [r.seq, r.hash]));
    const jobs: RangeJob[] = bounds.slice(0, -1).map((from, i) => ({
      workspaceId,
      afterSeq: from,
      untilSeq: bounds[i + 1],
      anchorHash: anchors.get(from) ?? null,
      removals,
      checkpoints: checkpoints.filter(([seq]) => seq > from && seq <= bounds[i + 1]),
    }));
    results.push(...(await runRanges(db, jobs, threads)));
    for (const r of results) if (r.firstProblem) note(r.firstProblem);
    const last = results[results.length - 1];
    if (head.seq !== last.lastSeq || head.hash !== last.lastHash)
      note({
        seq: head.seq,
        id: null,
        reason: 'head_mismatch',
        detail:
          `the chain head names seq ${head.seq} but the last record present is seq ${last.lastSeq}` +
          (head.seq === last.lastSeq ? ' with another hash' : ''),
      });
  }
  // Nothing may be stored past the head: records appended there without moving it would be served
  // by reads that do not stop at the head. A concurrent append may have committed since the head
  // was read: look at the head again before calling them beyond it.
  const beyond = await maxStoredSeq(db, workspaceId);
  if (beyond > total) {
    const now = (await getHead(db, workspaceId))?.seq ?? 0;
    if (beyond > now)
      note({
        seq: now + 1,
        id: null,
        reason: 'records_beyond_head',
        detail: `records or content are stored up to seq ${beyond}, past the chain head at seq ${now}`,
      });
  }
  const logIndex = await checkLogIndex(db, workspaceId);
  const indexProblem = logIndexProblem(logIndex);
  if (indexProblem) note(indexProblem);
  for (const [seq] of checkpoints.filter(([seq]) => seq > total))
    note({
      seq,
      id: null,
      reason: 'checkpoint_mismatch',
      detail: `a checkpoint names seq ${seq}, beyond the chain head (records cut from the tail)`,
    });
  const newest = stored.filter((c) => trustedSeqs.has(c.seq)).sort((a, b) => b.seq - a.seq)[0];
  const sum = (k: 'records' | 'purged' | 'problems' | 'checkpointsChecked') => results.reduce((a, r) => a + r[k], 0);
  const problems = sum('problems') + bad.length - results.filter((r) => r.firstProblem).length;
  // The index is derived from the records: a problem of the records themselves comes first.
  const derived = (p: ChainProblem) => Number(p.reason === 'log_index_mismatch');
  bad.sort((a, b) => derived(a) - derived(b) || a.seq - b.seq);
  return {
    object: 'compliance.verification',
    workspace_id: workspaceId,
    ok: problems === 0,
    records: sum('records'),
    content_removed_by_retention: sum('purged'),
    head: head ? { seq: head.seq, hash: head.hash } : null,
    first_bad: bad[0] ?? null,
    problems,
    checkpoints_checked: sum('checkpointsChecked'),
    newest_checkpoint: newest
      ? { seq: newest.seq, hash: newest.hash, signed_at: newest.signed_at, key_id: keyIdOf(newest.public_key) }
      : null,
    log_index: logIndex,
    checkpoint_keys: [...byKey.values()],
    duration_ms: Math.round(performance.now() - t0),
  };
}

// Offline: an export (JSONL, every event type, in seq order) checked against itself and, given a
// signed checkpoint, against that. A record without its content must be explained by a chained
// retention removal later in the same file, as verify in the database requires; the removals come
// after what they remove, so that is checked once the file has been read. An export that stops
// before the removal records (a --to earlier than the retention run) cannot explain its gaps.
// publicKeys: the keys the checkpoint may be signed with, any one of them (a rewritten export can
// come with a checkpoint its rewriter signed with a key of their own); none given: its own key.
type StoreOnly = 'workspace_id' | 'checkpoints_checked' | 'newest_checkpoint' | 'log_index' | 'checkpoint_keys';
type ExportReport = Omit<VerifyReport, StoreOnly> & {
  workspace_id: string | null;
  checkpoint_ok: boolean | null;
  checkpoint_key_id: string | null; // the key the handed-in checkpoint carries
};
export async function verifyExportStream(
  input: Readable,
  checkpoint?: Checkpoint,
  publicKeys: readonly string[] = [],
): Promise<ExportReport> {
  const t0 = performance.now();
  let verifier: ChainVerifier | undefined;
  let ws: string | null = null;
  let checkpointOk: boolean | null = checkpoint ? false : null; // until its record is found
  const keyTrusted = (c: Checkpoint) => publicKeys.length === 0 || publicKeys.includes(c.public_key);
  const sig = checkpoint ? keyTrusted(checkpoint) && checkSignature(checkpoint) : false;
  const missing: { seq: number; id: string; type: string; ts: number }[] = [];
  const removals: Removal[] = [];
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const r = parseRecordLine(line);
    // A file may start inside the chain: anchor on its first record's prev_hash.
    verifier ??= new ChainVerifier({
      start: { seq: r.seq - 1, hash: r.prev_hash },
      purgeCutoffs: new Map([
        ['CODEX_LOG', Infinity],
        ['CODEX_SECURITY_LOG', Infinity],
        ['AUDIT_LOG', Infinity],
        ['AUTH_LOG', Infinity],
      ]),
    });
    ws ??= r.workspace_id;
    verifier.push(r);
    if (r.content === null) missing.push({ seq: r.seq, id: r.id, type: r.event_type, ts: r.ts });
    else if (r.event_type === 'AUDIT_LOG' && r.content.includes(REMOVAL_ACTION)) {
      const removal = parseRemoval(r);
      if (typeof removal !== 'string') removals.push(removal);
    }
    if (checkpoint && r.seq === checkpoint.seq)
      checkpointOk = sig && r.hash === checkpoint.hash && r.workspace_id === checkpoint.workspace_id;
  }
  const v = verifier ?? new ChainVerifier();
  const coverage = new RemovalCoverage(removals);
  const unexplained: ChainProblem[] = missing
    .filter((m) => !coverage.covers(m.type, m.seq, m.ts))
    .map((m) => ({
      seq: m.seq,
      id: m.id,
      reason: 'content_removed_outside_retention',
      detail:
        `content is missing and no retention removal of ${m.type} later in this file covers ` +
        new Date(m.ts).toISOString(),
    }));
  const firstBad =
    [v.firstProblem, unexplained[0]].filter((p): p is ChainProblem => !!p).sort((a, b) => a.seq - b.seq)[0] ?? null;
  const problems = v.problems + unexplained.length;
  return {
    object: 'compliance.verification',
    workspace_id: ws,
    ok: problems === 0 && checkpointOk !== false,
    records: v.records,
    content_removed_by_retention: v.purged - unexplained.length,
    head: verifier ? v.head : null,
    first_bad: firstBad,
    problems,
    checkpoint_ok: checkpointOk,
    checkpoint_key_id: checkpoint ? keyIdOf(String(checkpoint.public_key ?? '')) : null,
    duration_ms: Math.round(performance.now() - t0),
  };
}

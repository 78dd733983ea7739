// Recomputes a workspace's chain from the database and names the first record that does not
// match: splits it into ranges (verify-ranges.ts), checks removals, checkpoints, the head and the
// log-file index. An exported file is verified offline by export-verify.service.ts.
import os from 'node:os';
import { type ChainProblem } from '../../core/chain-verifier.js';
import { sha256hex, type Checkpoint } from '../../core/compliance.js';
import type { DbOrTrx, Store } from '../../platform/storage/database.js';
import { findRecordsBySeq, getHead } from '../chain/chain.repository.js';
import { listRemovalSeqs } from '../retention/retention.repository.js';
import { maxStoredSeq } from '../chain/integrity.repository.js';
import { findWorkspace } from '../../platform/tenancy/workspaces.repository.js';
import { StewardError } from '../../core/errors.js';
import { parseRemoval, type Removal } from '../../core/compliance-removals.js';
import { checkSignature, keyIdOf, storedCheckpoints } from './checkpoint.service.js';
import { checkLogIndex, logIndexProblem, type LogIndexCheck } from '../reads/log-index.service.js';
import { runRanges, type RangeJob, type RangeResult } from './verify-ranges.js';

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

// Verifies an exported log file (JSONL) offline, against itself and a signed checkpoint; no database.
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { ChainVerifier, type ChainProblem } from '../../core/chain-verifier.js';
import type { Checkpoint } from '../../core/compliance.js';
import { parseRecordLine } from '../../core/compliance-record-line.js';
import { parseRemoval, REMOVAL_ACTION, RemovalCoverage, type Removal } from '../../core/compliance-removals.js';
import { checkSignature, keyIdOf } from './checkpoint.service.js';
import type { VerifyReport } from './verify.service.js';

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

// Recomputes a workspace's chain record by record, in seq order, and names the first record that
// does not match. Pure: the database verifier and the offline file verifier both feed it rows.
import { GENESIS_HASH, recordHash, sha256hex, type StreamedRecord } from './compliance.js';
import type { RemovalCoverage } from './compliance-removals.js';

export type ChainProblemReason =
  | 'missing_records' // a gap in seq: records were deleted
  | 'out_of_order' // seq went backwards or repeated
  | 'content_altered' // content does not hash to content_sha256
  | 'content_removed_outside_retention' // content is gone and no retention run covers it
  | 'hash_mismatch' // the record's fields or stored hash were changed
  | 'broken_link' // prev_hash is not the previous record's hash (reordered or previous altered)
  | 'head_mismatch' // the chain head does not match the last record (tail records deleted)
  | 'records_beyond_head' // records stored past the chain head (appended without moving it)
  | 'invalid_removal' // a retention removal record that states no removal its rule allowed
  | 'log_index_mismatch' // the log-file index does not describe the records (log files would miss some)
  | 'checkpoint_mismatch' // a signed checkpoint names a hash the chain no longer has
  | 'checkpoint_untrusted' // a checkpoint not signed by the trusted key
  | 'checkpoint_missing'; // a checkpoint the next one names is gone

export interface ChainProblem {
  seq: number;
  id: string | null;
  reason: ChainProblemReason;
  detail: string;
}

export interface VerifierOptions {
  // Per event type, the newest retention cutoff (event time, ms) ever applied: content of records
  // older than it may be absent.
  purgeCutoffs?: Map<string, number>;
  // The chained retention removals (core/compliance-removals.ts); when given, purgeCutoffs is not used.
  removals?: RemovalCoverage;
  // Start inside the chain (a checkpoint, an export or a verification range that does not begin
  // at seq 1). hash null: take the first record's prev_hash on trust (its predecessor is missing,
  // which the range before reports).
  start?: { seq: number; hash: string | null };
}

// What a database that recomputed a window of the chain reports about it.
export interface IntactWindow {
  intact: boolean; // every content hash, record hash and inner link holds; missing content is covered by retention
  records: number;
  first: number | null;
  last: number | null;
  removed: number;
  firstPrevHash: string | null;
  lastHash: string | null;
}

export class ChainVerifier {
  private lastSeq: number;
  private lastHash: string | null;
  private readonly cutoffs: Map<string, number>;
  private readonly removals: RemovalCoverage | undefined;
  records = 0;
  purged = 0; // records whose content a retention run removed
  problems = 0;
  firstProblem: ChainProblem | null = null;

  constructor(opts: VerifierOptions = {}) {
    this.lastSeq = opts.start?.seq ?? 0;
    this.lastHash = opts.start ? opts.start.hash : GENESIS_HASH;
    this.cutoffs = opts.purgeCutoffs ?? new Map();
    this.removals = opts.removals;
  }

  get head(): { seq: number; hash: string } {
    return { seq: this.lastSeq, hash: this.lastHash ?? '' };
  }

  private report(p: ChainProblem): ChainProblem {
    this.problems++;
    this.firstProblem ??= p;
    return p;
  }

  // Checks one record; returns the problem it shows, if any. Verification continues after a
  // problem (counting them) and re-anchors on the record as stored.
  push(r: StreamedRecord): ChainProblem | null {
    this.records++;
    let problem: ChainProblem | null = null;
    const expected = this.lastSeq + 1;
    if (r.seq > expected) {
      problem = this.report({
        seq: expected,
        id: null,
        reason: 'missing_records',
        detail:
          `records ${expected}${r.seq - 1 > expected ? `..${r.seq - 1}` : ''} are missing ` +
          `(next present: seq ${r.seq}, id ${r.id})`,
      });
    } else if (r.seq < expected) {
      problem = this.report({
        seq: r.seq,
        id: r.id,
        reason: 'out_of_order',
        detail: `seq ${r.seq} appears after seq ${this.lastSeq}`,
      });
    }
    if (!problem) {
      if (r.content !== null) {
        if (sha256hex(r.content) !== r.content_sha256)
          problem = this.report({
            seq: r.seq,
            id: r.id,
            reason: 'content_altered',
            detail: 'content does not match content_sha256',
          });
      } else {
        const cutoff = this.cutoffs.get(r.event_type);
        if (this.removals ? this.removals.covers(r.event_type, r.seq, r.ts) : cutoff !== undefined && r.ts < cutoff)
          this.purged++;
        else
          problem = this.report({
            seq: r.seq,
            id: r.id,
            reason: 'content_removed_outside_retention',
            detail:
              `content is missing and no retention removal of ${r.event_type} recorded after it covers ` +
              new Date(r.ts).toISOString(),
          });
      }
    }
    if (!problem && recordHash(r.prev_hash, r) !== r.hash)
      problem = this.report({
        seq: r.seq,
        id: r.id,
        reason: 'hash_mismatch',
        detail: 'the record does not hash to its stored hash (a field or the hash was changed)',
      });
    if (!problem && this.lastHash !== null && r.prev_hash !== this.lastHash)
      problem = this.report({
        seq: r.seq,
        id: r.id,
        reason: 'broken_link',
        detail:
          `prev_hash does not equal the hash of seq ${this.lastSeq} ` +
          '(records reordered, or the previous one altered)',
      });
    this.lastSeq = Math.max(this.lastSeq, r.seq);
    this.lastHash = r.hash;
    return problem;
  }

  // Takes a window (afterSeq, untilSeq] whole, as a database that recomputed it found it: every
  // record present and intact inside it. Only when it continues this chain; false: the caller
  // checks it record by record (push) instead, which names the problems.
  acceptIntact(w: IntactWindow, afterSeq: number, untilSeq: number): boolean {
    if (
      !w.intact ||
      this.lastSeq !== afterSeq ||
      w.records !== untilSeq - afterSeq ||
      w.first !== afterSeq + 1 ||
      w.last !== untilSeq
    )
      return false;
    if (w.lastHash === null || (this.lastHash !== null && w.firstPrevHash !== this.lastHash)) return false;
    this.records += w.records;
    this.purged += w.removed;
    this.lastSeq = untilSeq;
    this.lastHash = w.lastHash;
    return true;
  }

  // A range must reach its last seq: otherwise records were cut from its end.
  checkEnd(endSeq: number): ChainProblem | null {
    if (this.lastSeq >= endSeq) return null;
    const from = this.lastSeq + 1;
    return this.report({
      seq: from,
      id: null,
      reason: 'missing_records',
      detail: `records ${from}${endSeq > from ? `..${endSeq}` : ''} are missing`,
    });
  }

  // The stored head must name the last record: otherwise records were cut from the tail.
  checkHead(head: { seq: number; hash: string } | undefined): ChainProblem | null {
    if (!head) return null;
    if (head.seq !== this.lastSeq || head.hash !== this.lastHash) {
      return this.report({
        seq: head.seq,
        id: null,
        reason: 'head_mismatch',
        detail:
          `the chain head names seq ${head.seq} but the last record present is seq ${this.lastSeq}` +
          (head.seq === this.lastSeq ? ' with another hash' : ''),
      });
    }
    return null;
  }

  checkpointProblem(
    seq: number,
    expectedHash: string,
    actualHash: string | undefined,
    id: string | null,
  ): ChainProblem | null {
    if (actualHash === expectedHash) return null;
    return this.report({
      seq,
      id,
      reason: 'checkpoint_mismatch',
      detail:
        actualHash === undefined
          ? `a checkpoint names seq ${seq}, which is missing`
          : `a checkpoint signed hash ${expectedHash.slice(0, 12)}… for seq ${seq}; ` +
            `the chain now has ${actualHash.slice(0, 12)}…`,
    });
  }
}

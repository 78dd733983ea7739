// Retention's removals as chained records. Every batch of content retention removes is explained by
// an AUDIT_LOG record appended in the same transaction ("retention.removed": which event type, under
// which rule, how many, which seqs), so a removal is itself a record: hashed, forwarded to the sinks
// and sealed by the next signed checkpoint. Verify accepts a record's missing content only when a
// later removal record of its type has a cutoff its event time is older than, and that cutoff is what
// the rule gave at the time the removal was recorded (recorded_at - retention_days): a table of
// cutoffs outside the chain (compliance_purges) explained removals before, and anyone able to
// write it could make a deletion look like retention.
import { isEventType, type ChainRecord, type RecordDraft } from './compliance.js';
import { auditDraft } from './compliance-records.js';
import { DAY_MS } from './time.js';

export const REMOVAL_ACTION = 'retention.removed';

export interface RemovalFacts {
  ts: number;
  actor: { type: string; id: string | null };
  workspaceId: string;
  runId: string;
  eventType: string;
  retentionDays: number;
  cutoff: number; // event time (ms): content of records older than this was removed
  seqs: readonly number[]; // ascending
}

// [first, last] runs of consecutive seqs: what was removed, compactly (a batch is mostly contiguous).
export function seqRuns(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

export function removalDraft(f: RemovalFacts): RecordDraft {
  return auditDraft({
    ts: f.ts,
    actor: f.actor,
    action: REMOVAL_ACTION,
    target: { type: 'workspace', id: f.workspaceId },
    after: {
      run_id: f.runId,
      event_type: f.eventType,
      retention_days: f.retentionDays,
      cutoff_ms: f.cutoff,
      cutoff: new Date(f.cutoff).toISOString(),
      removed: f.seqs.length,
      seqs: seqRuns(f.seqs),
    },
  });
}

// A removal as verify uses it: records of `eventType` before `seq` with event time before `cutoff`
// may lack their content.
export interface Removal {
  seq: number;
  eventType: string;
  cutoff: number;
}

// The removal a chained record states, or why it is not one. The record's own hash and content
// hash are checked by the chain walk; this checks what it says.
export function parseRemoval(r: Pick<ChainRecord, 'seq' | 'event_type' | 'recorded_at' | 'content'>): Removal | string {
  if (r.event_type !== 'AUDIT_LOG') return `seq ${r.seq} is a ${r.event_type} record, not a retention removal`;
  if (r.content === null) return `the retention removal at seq ${r.seq} has lost its content`;
  let c: { action?: unknown; after?: { event_type?: unknown; retention_days?: unknown; cutoff_ms?: unknown } | null };
  try {
    c = JSON.parse(r.content);
  } catch {
    return `seq ${r.seq} has content that is not JSON`;
  }
  if (c.action !== REMOVAL_ACTION || !c.after) return `seq ${r.seq} is not a retention removal`;
  const { event_type: type, retention_days: days, cutoff_ms: cutoff } = c.after;
  if (typeof type !== 'string' || !isEventType(type))
    return `the retention removal at seq ${r.seq} names no event type`;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1)
    return `the retention removal at seq ${r.seq} names no retention of at least one day`;
  if (typeof cutoff !== 'number' || !Number.isFinite(cutoff))
    return `the retention removal at seq ${r.seq} names no cutoff`;
  // The rule applied to a record's age when the removal was recorded: nothing younger than
  // retention_days at that moment may be covered.
  if (cutoff > r.recorded_at - days * DAY_MS)
    return (
      `the retention removal at seq ${r.seq} claims a cutoff of ${new Date(cutoff).toISOString()}, ` +
      `later than its rule (${days} days before ${new Date(r.recorded_at).toISOString()}) allows`
    );
  return { seq: r.seq, eventType: type, cutoff };
}

// Which missing contents the removals explain. covers() is exact (the record path); cutoffsAfter()
// gives, per type, the newest cutoff of the removals recorded after a seq, for a window of records
// before it checked whole (a record inside the window covered only by a removal inside it makes
// the window "not intact", and the record path decides).
export class RemovalCoverage {
  private readonly byType = new Map<string, { seqs: number[]; suffixMax: number[] }>();

  constructor(removals: readonly Removal[]) {
    const grouped = new Map<string, Removal[]>();
    for (const r of removals) grouped.set(r.eventType, [...(grouped.get(r.eventType) ?? []), r]);
    for (const [type, list] of grouped) {
      list.sort((a, b) => a.seq - b.seq);
      const suffixMax = new Array<number>(list.length);
      for (let i = list.length - 1, m = -Infinity; i >= 0; i--) suffixMax[i] = m = Math.max(m, list[i].cutoff);
      this.byType.set(type, { seqs: list.map((r) => r.seq), suffixMax });
    }
  }

  // The newest cutoff among removals of `type` recorded after `seq` (-Infinity: none).
  private after(type: string, seq: number): number {
    const t = this.byType.get(type);
    if (!t) return -Infinity;
    let lo = 0;
    let hi = t.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.seqs[mid] > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo < t.seqs.length ? t.suffixMax[lo] : -Infinity;
  }

  covers(type: string, seq: number, ts: number): boolean {
    return ts < this.after(type, seq);
  }

  cutoffsAfter(seq: number): [string, number][] {
    const out: [string, number][] = [];
    for (const type of this.byType.keys()) {
      const c = this.after(type, seq);
      if (c > -Infinity) out.push([type, c]);
    }
    return out;
  }
}

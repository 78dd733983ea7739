// The compliance record and its hash chain: pure rules shared by the writer, the verifier, the
// log-file API, the exporters and any third party that checks an export.
//
// Each workspace has one chain. A record's content is canonical JSON (RFC 8785: keys sorted by
// UTF-16 code unit, no whitespace, ECMAScript number and string formatting) and
//   content_sha256 = sha256(content)
//   hash           = sha256(prev_hash + "\n" + JSON.stringify([1, seq, id, workspace_id, event_type,
//                                                             ts, recorded_at, user_id, thread_id,
//                                                             content_sha256]))
// with prev_hash of the first record = 64 zeros. `ts` (event time) and `recorded_at` are epoch ms.
// Retention may remove a record's content; its content_sha256 and hash stay, so the chain verifies.
// A record as a JSONL line (log files, exports) and back: compliance-record-line.ts.
import crypto from 'node:crypto';

export const EVENT_TYPES = ['CODEX_LOG', 'CODEX_SECURITY_LOG', 'AUDIT_LOG', 'AUTH_LOG'] as const;
export type ComplianceEventType = (typeof EVENT_TYPES)[number];
export const GENESIS_HASH = '0'.repeat(64);
export const CHAIN_FORMAT = 1;

export function isEventType(s: string): s is ComplianceEventType {
  return (EVENT_TYPES as readonly string[]).includes(s);
}

// What a caller appends; the chain assigns seq, id, recorded_at and the hashes.
export interface RecordDraft {
  eventType: ComplianceEventType;
  ts: number;
  userId: string | null;
  threadId: string | null;
  content: Record<string, unknown>;
}

// A record as stored (content null once retention removed it).
export interface ChainRecord {
  workspace_id: string;
  seq: number;
  id: string;
  event_type: string;
  ts: number;
  recorded_at: number;
  user_id: string | null;
  thread_id: string | null;
  content: string | null;
  content_sha256: string;
  prev_hash: string;
  hash: string;
}

// A record as the long reads stream it (verify, export, log files): content as its UTF-8 bytes or as
// a string, whichever the database driver hands over without a conversion.
export interface StreamedRecord extends Omit<ChainRecord, 'content'> {
  content: Uint8Array | string | null;
}

// Strings are hashed as UTF-8, so a string and its UTF-8 bytes have the same hash.
export function sha256hex(s: string | Uint8Array): string {
  return crypto.hash('sha256', s, 'hex');
}

// RFC 8785 canonical JSON for the values records hold (objects, arrays, strings, finite numbers,
// booleans, null): keys sorted by UTF-16 code unit at every depth, ECMAScript string and number
// formatting. Undefined members are left out, as JSON.stringify does. Written out by hand because
// JSON.stringify orders integer-like keys ("9" before "10") however they were inserted.
// Content built with its keys already in canonical order (the ingest's record builders, in
// compliance-records.ts) is written by JSON.stringify, which then gives the same text natively:
// 3.1 against 7.2 us per CODEX_LOG record written out (bench/canonical-json.bench.ts).
export function canonicalJson(v: unknown): string {
  if (v !== null && typeof v === 'object' && inCanonicalOrder(v)) return JSON.stringify(v);
  return canonicalSlow(v);
}

// True when JSON.stringify(v) is v's canonical JSON: plain objects and arrays only, every object's
// keys in ascending UTF-16 order as enumerated (an integer-like key is enumerated first, so it
// fails unless it sorts first anyway), and nothing JSON.stringify writes differently (toJSON,
// bigint, symbol).
function inCanonicalOrder(v: object): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!canonicalValue(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  let prev: string | undefined;
  for (const k in v) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!canonicalValue((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}
function canonicalValue(x: unknown): boolean {
  if (x !== null && typeof x === 'object') return inCanonicalOrder(x);
  return typeof x !== 'bigint' && typeof x !== 'symbol';
}

function canonicalSlow(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonicalJson(v[i]);
        return out + ']';
      }
      const rec = v as Record<string, unknown>;
      if (typeof rec.toJSON === 'function') return canonicalJson((rec.toJSON as () => unknown)());
      const keys = Object.keys(rec).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = rec[k];
        if (x === undefined || typeof x === 'function') continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(x);
        first = false;
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

type HeaderFields = Pick<
  ChainRecord,
  'seq' | 'id' | 'workspace_id' | 'event_type' | 'ts' | 'recorded_at' | 'user_id' | 'thread_id' | 'content_sha256'
>;

export function recordHeader(r: HeaderFields): string {
  return JSON.stringify([
    CHAIN_FORMAT,
    r.seq,
    r.id,
    r.workspace_id,
    r.event_type,
    r.ts,
    r.recorded_at,
    r.user_id,
    r.thread_id,
    r.content_sha256,
  ]);
}

export function recordHash(prevHash: string, r: HeaderFields): string {
  return sha256hex(prevHash + '\n' + recordHeader(r));
}

// A checkpoint: the head of a workspace's chain at a moment, as the signed statement a third
// party keeps. The signature (Ed25519) covers canonicalJson of every field but `signature`.
export interface Checkpoint {
  format: 'steward.compliance.checkpoint/1';
  workspace_id: string;
  seq: number;
  hash: string;
  recorded_at: number;
  signed_at: string;
  key_id: string;
  public_key: string; // SPKI DER, base64
  // The seq of the checkpoint this key stored before (0: none), so that a deleted one is noticed.
  // Absent in checkpoints signed before it existed.
  prev_seq?: number;
  signature: string; // base64
}

export function checkpointPayload(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    format: c.format,
    workspace_id: c.workspace_id,
    seq: c.seq,
    hash: c.hash,
    recorded_at: c.recorded_at,
    signed_at: c.signed_at,
    key_id: c.key_id,
    public_key: c.public_key,
    ...(c.prev_seq === undefined ? {} : { prev_seq: c.prev_seq }),
  });
}

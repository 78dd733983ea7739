// Table types for compliance (migration 0003_compliance). Times are epoch ms.

// The chain: one row per record, inserted once and never updated or deleted.
export interface ComplianceRecordTable {
  workspace_id: string;
  seq: number; // 1, 2, 3 … per workspace
  id: string; // UUIDv7
  event_type: string;
  ts: number; // event time
  recorded_at: number; // append time; strictly increasing per append transaction within a workspace
  user_id: string | null;
  thread_id: string | null;
  content_sha256: string;
  prev_hash: string;
  hash: string;
}

// Record content (canonical JSON), kept apart so that retention can remove it while the chain row,
// with content_sha256 and hash, stays.
export interface ComplianceContentTable {
  workspace_id: string;
  seq: number;
  // PostgreSQL only (migration 0040): the partition key, copied from the chain row (decisions/0045).
  event_type?: string;
  ts?: number;
  content: string;
}

// The head of each chain: locked by every append (UPDATE … RETURNING), which serializes writers
// per workspace on PostgreSQL and takes SQLite's write lock.
export interface ComplianceHeadTable {
  workspace_id: string;
  seq: number;
  hash: string;
  recorded_at: number;
  max_ts: number;
}

// Per workspace, event type and minute of recorded_at: where the records are, so that log-file
// listings read O(page) rows.
export interface ComplianceLogIndexTable {
  workspace_id: string;
  event_type: string;
  minute: number;
  records: number;
  first_seq: number;
  last_seq: number;
  last_recorded_at: number;
  max_ts: number;
}

export interface ComplianceHoldTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  thread_id: string | null;
  from_ts: number | null;
  to_ts: number | null;
  reason: string;
  created_at: number;
  created_by: string;
  released_at: number | null;
  released_by: string | null;
}

// One row per retention run and event type: the explanation of every removed content.
export interface CompliancePurgeTable {
  run_id: string;
  workspace_id: string;
  event_type: string;
  cutoff_ts: number;
  ran_at: number;
  purged: number;
}

// Where the chained retention removals are (migration 0010): read by verify, checked against the chain.
export interface ComplianceRemovalTable {
  workspace_id: string;
  seq: number; // the "retention.removed" AUDIT_LOG record
  event_type: string; // the type whose content it removed
}

export interface ComplianceCheckpointTable {
  workspace_id: string;
  seq: number;
  hash: string;
  recorded_at: number;
  signed_at: number;
  key_id: string;
  body: string; // the signed checkpoint JSON
}

// Natural keys of findings that must be recorded once (e.g. a session's disallowed sandbox mode).
export interface ComplianceOnceTable {
  workspace_id: string;
  once_key: string;
}

export interface ComplianceSinkCursorTable {
  sink: string;
  workspace_id: string;
  seq: number; // last record delivered (or skipped by the sink's event-type filter)
  checkpoint_seq: number; // seq of the last signed checkpoint delivered (migration 0010)
  delivered: number;
  dead_letters: number;
  last_error: string | null;
  last_error_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  updated_at: number;
}

export interface ComplianceDeadLetterTable {
  sink: string;
  workspace_id: string;
  seq: number;
  record_id: string;
  error: string;
  at: number;
}

export interface ComplianceTables {
  compliance_records: ComplianceRecordTable;
  compliance_content: ComplianceContentTable;
  compliance_heads: ComplianceHeadTable;
  compliance_log_index: ComplianceLogIndexTable;
  compliance_holds: ComplianceHoldTable;
  compliance_purges: CompliancePurgeTable;
  compliance_removals: ComplianceRemovalTable;
  compliance_checkpoints: ComplianceCheckpointTable;
  compliance_once: ComplianceOnceTable;
  compliance_sink_cursors: ComplianceSinkCursorTable;
  compliance_dead_letters: ComplianceDeadLetterTable;
}

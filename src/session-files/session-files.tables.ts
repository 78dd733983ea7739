// Table types for session files (migration 0004_rollout_import). Times are epoch ms.

// Where the reading of one session file stands: the parser checkpoint of `steward import`
// (origin 'local') or of the uploads from one machine (origin = the machine id).
export interface RolloutFileTable {
  workspace_id: string;
  origin: string;
  path: string;
  user_id: string;
  thread_id: string | null;
  ino: number | null;
  size: number; // file size when last read
  mtime_ms: number;
  read_offset: number; // bytes of complete lines consumed
  read_lines: number;
  head_hash: string | null; // sha256 of the first bytes (up to 4 KiB): the content check
  tail_hash: string | null; // sha256 of the 4 KiB before read_offset
  state: string; // JSON RolloutParserState
  skipped: number; // bad lines seen in this file so far
  finalized: number; // 0/1: last read treated the file as complete (nothing left pending)
  updated_at: number;
}

// Session-file content is archived as CODEX_LOG session_item records (migration 0024, decisions/0023).

// A machine that uploaded session files (steward push / collect).
export interface RolloutMachineTable {
  workspace_id: string;
  machine_id: string;
  user_id: string;
  host_name: string | null;
  installation_id: string | null;
  first_seen_at: number;
  last_seen_at: number;
}

export interface RolloutTables {
  rollout_files: RolloutFileTable;
  rollout_machines: RolloutMachineTable;
}

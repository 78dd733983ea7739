import type { AccountTables } from '../../accounts/accounts.tables.js';
import type { CodeReviewTables } from '../../code-review/code-review.tables.js';
import type { ComplianceTables } from '../../compliance/compliance.tables.js';
import type { IngestTables } from '../../ingest/ingest.tables.js';
import type { RolloutTables } from '../../session-files/session-files.tables.js';
// Table types for Kysely. Times are epoch ms, `day` is days since epoch, `week` ISO-week number,
// money is integer nano-USD and credits integer nano-credits (exact sums on both databases).

export interface WorkspaceTable {
  id: string;
  name: string;
  created_at: number;
  settings: string; // JSON
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string | null;
  role: string;
  github_login: string | null;
  created_at: number;
  removed_at: number | null; // migration 0014: removed by `users remove` (archive kept, keys revoked)
  service: number; // 0/1, migration 0019: a CI or service identity (no active user, no per-user row)
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  name: string | null;
  prefix: string;
  secret_hash: string;
  scopes: string; // space separated
  shared_collector: number; // 0/1: may attribute records to the user named by the payload's email claim
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  service: number; // 0/1, migration 0019: a CI or service identity's key (`keys create --service`)
}

// Migration 0019: a workspace's teams and their members (a user may be in several).
export interface TeamTable {
  id: string;
  workspace_id: string;
  name: string;
  created_at: number;
}

export interface TeamMemberTable {
  team_id: string;
  user_id: string;
  workspace_id: string;
  added_at: number;
}

// Migration 0037: one row per background job, workspace and period, inserted by the node that runs it.
export interface JobRunTable {
  job: string;
  workspace_id: string;
  period: number; // floor(started time / the job's period)
  node: string;
  started_at: number;
  finished_at: number | null;
  result: string | null; // JSON summary
  lease_until: number | null; // while unfinished: the run's node renews it; null before migration 0046
}

export interface Database extends AccountTables, IngestTables, CodeReviewTables, ComplianceTables, RolloutTables {
  workspaces: WorkspaceTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  job_runs: JobRunTable;
}

// The ingest tables: facts (threads, turns, model requests, tool events), the rollups the Analytics API
// reads, and the cross-source matching of OTLP and session-file facts.
// Times are epoch ms, `day` is days since epoch, `week` ISO-week number,
// money is integer nano-USD and credits integer nano-credits (exact sums on both databases).

export interface ThreadTable {
  workspace_id: string;
  thread_id: string;
  user_id: string;
  client_id: string;
  originator: string | null;
  thread_kind: string;
  parent_thread_id: string | null;
  first_seen_at: number;
  model: string | null;
  approval_policy: string | null;
  sandbox_policy: string | null;
  host_name: string | null;
  source: string;
}

export interface TurnTable {
  workspace_id: string;
  turn_key: string;
  turn_id: string | null;
  thread_id: string;
  user_id: string;
  client_id: string;
  ts: number;
  model: string | null;
  prompt_length: number | null;
  source: string;
  // The thread it was reconciled within (fact_reconcile); null only before migration 0006 filled it.
  match_thread: string | null;
}

export interface ModelRequestTable {
  workspace_id: string;
  request_key: string;
  response_id: string | null;
  turn_id: string | null;
  thread_id: string;
  user_id: string;
  client_id: string;
  ts: number;
  model: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_nusd: number;
  credits_n: number;
  pricing_version: string;
  fallback_priced: number;
  source: string;
}

export interface ToolEventTable {
  workspace_id: string;
  tool_key: string;
  thread_id: string;
  user_id: string;
  call_id: string;
  ts: number;
  tool_name: string | null;
  decision: string | null;
  decision_source: string | null;
  success: number | null;
  duration_ms: number | null;
  source: string | null; // null: stored before migration 0022
  gained: number; // which parts the last write filled (core/tool-rollups.ts), read back by RETURNING only
}

// Tool-call rollups per UTC day (migration 0033; rules in core/tool-rollups.ts).
export interface ToolCallsDayTable {
  workspace_id: string;
  bucket: number;
  tool_name: string;
  calls: number;
  succeeded: number;
  failed: number;
  duration_ms: number;
  timed_calls: number;
  approved: number;
  denied: number;
  aborted: number;
  by_user: number;
  by_config: number;
  by_reviewer: number;
}
export interface ToolMcpDayTable {
  workspace_id: string;
  bucket: number;
  mcp_server: string;
  calls: number;
  succeeded: number;
  failed: number;
  duration_ms: number;
  timed_calls: number;
}

// Rollup counters shared by every usage rollup table.
export interface UsageCounters {
  threads: number;
  turns: number;
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_nusd: number;
  credits_n: number;
}

// Per user, bucket and client: rows of the usage API and its clients[] breakdown.
export interface UsageUserBucketTable extends UsageCounters {
  workspace_id: string;
  bucket: number;
  user_id: string;
  client_id: string;
}
// Per user, bucket and model: the models[] breakdown.
export interface UsageUserModelTable extends UsageCounters {
  workspace_id: string;
  bucket: number;
  user_id: string;
  model: string;
}
// Workspace level, per bucket and client / model: group=workspace without touching user rows.
export interface UsageWsBucketTable extends UsageCounters {
  workspace_id: string;
  bucket: number;
  client_id: string;
}
export interface UsageWsModelTable extends UsageCounters {
  workspace_id: string;
  bucket: number;
  model: string;
}
// Distinct sets: a row inserted for the first time bumps the distinct counters above.
export interface ThreadBucketSetTable {
  workspace_id: string;
  bucket: number;
  thread_id: string;
}
export interface ActiveUserSetTable {
  workspace_id: string;
  bucket: number;
  user_id: string;
  client_id: string;
}

// Migration 0041 (decisions/0053): a person once per bucket and surface, and once with surface ''
// (any); the counts of each set's people per bucket and scope, kept by the database from the rows
// the set inserts add: ('', '') everyone, (surface, '') a surface, ('', client) a client.
export interface ActiveUserSurfaceSetTable {
  workspace_id: string;
  bucket: number;
  user_id: string;
  surface: string;
}
export interface ActiveUserCountTable {
  workspace_id: string;
  bucket: number;
  surface: string;
  client_id: string;
  users: number;
}

// Migration 0045: per workspace and source (otlp, rollout, api, code_review), the newest event time
// among the facts it stored and when it last stored one (null: before 0045, not known).
export interface SourceFreshnessTable {
  workspace_id: string;
  source: string;
  newest_event_at: number;
  stored_at: number | null;
}

// Migration 0032: a person's first and last active UTC day (the day set's span), kept at ingest.
export interface UserActivityTable {
  workspace_id: string;
  user_id: string;
  first_day: number;
  last_day: number;
}

// Migration 0039, trailing windows (decisions/0042): the anchor day of each workspace's base, the
// sums of a window's days before the anchor per person and client (or model), and per person (and
// client or model, '' for any) the days with a counted turn among the 62 before the anchor.
export interface UsageWindowStateTable {
  workspace_id: string;
  anchor: number;
  built_at: number;
}
export interface UsageUserWindowTable extends UsageCounters {
  workspace_id: string;
  window_days: number;
  anchor: number;
  user_id: string;
  client_id: string;
}
export interface UsageUserModelWindowTable extends UsageCounters {
  workspace_id: string;
  window_days: number;
  anchor: number;
  user_id: string;
  model: string;
}
// Migration 0043 (decisions/0058): the same base as one row per window, anchor and person, every
// client summed, with that person's days of the window before the anchor as a mask.
/** The people active on a surface on a window's days before the anchor (decisions/0069). */
export interface ActiveUserSurfaceWindowTable {
  workspace_id: string;
  window_days: number;
  anchor: number;
  surface: string;
  user_id: string;
}
export interface UsagePersonWindowTable extends UsageCounters {
  workspace_id: string;
  window_days: number;
  anchor: number;
  user_id: string;
  days: number | bigint | string; // bit i: the day anchor - 1 - i had a counted turn (within the window)
}
export interface UserDayMaskTable {
  workspace_id: string;
  anchor: number;
  client_id: string;
  model: string;
  user_id: string;
  days: number | bigint | string; // bit i: the day anchor - 1 - i had a counted turn
}

// Cross-source matching of turns and model responses (OTLP has no ids, session files do): one row
// per turn/response key ever seen, the thread it is matched within, and what it was matched to.
export interface FactReconcileTable {
  workspace_id: string;
  kind: string; // 'turn' | 'response'
  fact_key: string; // the event's key (turn_key / request_key)
  source: string; // 'otlp' | 'rollout' | 'api'
  match_thread: string; // OTLP conversation.id, or the session file's own thread
  ts: number;
  sig: string; // responses: input:cached:output:reasoning; turns: ''
  ext_id: string | null; // response_id / turn_id
  stored_key: string; // the fact row that stands for this event (itself, or the one it matched)
  matched_key: string | null; // the other source's key
}

// Codex events that are not facts of the other tables (migration 0017, decisions/0024).
export interface CodexEventTable {
  workspace_id: string;
  event_key: string;
  thread_id: string;
  user_id: string;
  client_id: string;
  ts: number;
  name: string;
  category: string;
  turn_id: string | null;
  skill_name: string | null;
  skill_scope: string | null;
  source: string;
}

// Skill invocations per bucket, user, skill name and scope (migration 0025, decisions/0032).
export interface UsageSkillTable {
  workspace_id: string;
  bucket: number;
  user_id: string;
  skill_name: string; // "unknown" when the event named none
  skill_scope: string;
  invocations: number;
}

export interface IngestTables {
  codex_events: CodexEventTable;
  usage_skill_day: UsageSkillTable;
  usage_skill_week: UsageSkillTable;
  threads: ThreadTable;
  turns: TurnTable;
  model_requests: ModelRequestTable;
  tool_events: ToolEventTable;
  tool_calls_day: ToolCallsDayTable;
  tool_mcp_day: ToolMcpDayTable;
  usage_user_day: UsageUserBucketTable;
  usage_user_week: UsageUserBucketTable;
  usage_user_model_day: UsageUserModelTable;
  usage_user_model_week: UsageUserModelTable;
  usage_ws_day: UsageWsBucketTable;
  usage_ws_week: UsageWsBucketTable;
  usage_ws_model_day: UsageWsModelTable;
  usage_ws_model_week: UsageWsModelTable;
  thread_day_set: ThreadBucketSetTable;
  thread_week_set: ThreadBucketSetTable;
  active_user_day_set: ActiveUserSetTable;
  active_user_week_set: ActiveUserSetTable;
  active_user_day_surface_set: ActiveUserSurfaceSetTable;
  active_user_week_surface_set: ActiveUserSurfaceSetTable;
  active_user_day_count: ActiveUserCountTable;
  active_user_week_count: ActiveUserCountTable;
  user_activity: UserActivityTable;
  source_freshness: SourceFreshnessTable;
  usage_window_state: UsageWindowStateTable;
  usage_user_window: UsageUserWindowTable;
  usage_user_model_window: UsageUserModelWindowTable;
  user_day_mask: UserDayMaskTable;
  usage_person_window: UsagePersonWindowTable;
  active_user_surface_window: ActiveUserSurfaceWindowTable;
  fact_reconcile: FactReconcileTable;
}

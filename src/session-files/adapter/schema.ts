// Zod schemas for the rollout line shapes. Deliberately loose: every object passes unknown keys
// through, and a field of an unexpected type becomes `undefined` (`.catch`) instead of failing the
// line, because the format changes from release to release (spec §3). Only the few fields a line
// is useless without are required.
import { z } from 'zod';

const str = () => z.string().optional().catch(undefined);
const num = () => z.number().optional().catch(undefined);
const bool = () => z.boolean().optional().catch(undefined);
const any = () => z.unknown().optional();
const arr = () => z.array(z.unknown()).optional().catch(undefined);

// ---- envelopes ----------------------------------------------------------------------------------

/** 2025-09+ line: `{timestamp, ordinal?, type, payload}`; `ordinal` is new in 0.169. */
export const EnvelopeSchema = z.looseObject({
  timestamp: str(),
  ordinal: z.number().int().nonnegative().optional().catch(undefined),
  type: z.string(),
  payload: z.unknown(),
});

/** Pre-2025-09 first line: a bare `{id, timestamp, instructions, git}`. */
export const BareSessionMetaSchema = z.looseObject({
  id: z.string(),
  timestamp: str(),
  instructions: z.string().nullish().catch(undefined),
  git: any(),
});

/** Pre-2025-09 state marker. */
export const StateMarkerSchema = z.looseObject({ record_type: z.literal('state') });

// ---- shared pieces ------------------------------------------------------------------------------

export const TokenUsageSchema = z.looseObject({
  input_tokens: num(),
  cached_input_tokens: num(),
  cache_read_input_tokens: num(), // older alias of cached_input_tokens
  cache_write_input_tokens: num(),
  cache_creation_input_tokens: num(),
  output_tokens: num(),
  reasoning_output_tokens: num(),
  total_tokens: num(),
});
export type RawTokenUsage = z.infer<typeof TokenUsageSchema>;
const usage = () => TokenUsageSchema.nullish().catch(undefined);

export const GitSchema = z.looseObject({ commit_hash: str(), branch: str(), repository_url: str() });

const turnMeta = z.looseObject({ turn_id: str(), content_item_kinds: arr(), content_item_metadata: arr() });

// ---- payloads by envelope type ------------------------------------------------------------------

export const SessionMetaSchema = z.looseObject({
  id: z.string(),
  session_id: str(),
  timestamp: str(),
  cwd: str(),
  originator: str(),
  cli_version: str(),
  source: any(),
  thread_source: str(),
  model_provider: str(),
  model: str(),
  history_mode: str(),
  forked_from_id: str(),
  forked_from_ordinal_exclusive: num(),
  parent_thread_id: str(),
  history_base: z
    .looseObject({ thread_id: str(), end_ordinal_exclusive: num(), end_byte_offset: num() })
    .nullish()
    .catch(undefined),
  git: GitSchema.nullish().catch(undefined),
  instructions: str(),
  base_instructions: any(),
  agent_nickname: str(),
  agent_role: str(),
});
export type SessionMetaPayload = z.infer<typeof SessionMetaSchema>;

export const TurnContextSchema = z.looseObject({
  turn_id: str(),
  root_turn_id: str(),
  cwd: str(),
  approval_policy: any(),
  sandbox_policy: any(),
  model: str(),
  effort: any(),
  summary: any(),
});

export const TokenUsageRecordSchema = z.looseObject({
  thread_id: str(),
  turn_id: str(),
  root_turn_id: str(),
  session_id: str(),
  response_id: str(),
  usage: TokenUsageSchema,
  turn_token_usage: usage(),
  thread_token_usage: usage(),
});

export const CompactedSchema = z.looseObject({
  message: str(),
  replacement_history: arr(),
  compaction_response_id: str(),
});

// ---- event_msg ----------------------------------------------------------------------------------

export const EventMsgSchema = z.looseObject({ type: z.string() });

export const TaskStartedSchema = z.looseObject({
  turn_id: str(),
  root_turn_id: str(),
  turn_attribution: z
    .looseObject({ turn_id: str(), turn_trigger: str(), parent_turn_id: str(), root_turn_id: str() })
    .nullish()
    .catch(undefined),
  started_at: num(),
  model_context_window: num(),
});

export const TaskCompleteSchema = z.looseObject({
  turn_id: str(),
  root_turn_id: str(),
  last_agent_message: str(),
  duration_ms: num(),
  time_to_first_token_ms: num(),
  reason: str(),
});

export const TokenCountSchema = z.looseObject({
  info: z
    .looseObject({
      total_token_usage: usage(),
      last_token_usage: usage(),
      model_context_window: num(),
      last_usage_includes_reasoning: bool(),
      model: str(),
    })
    .nullish()
    .catch(undefined),
  rate_limits: any(),
  model: str(),
});

export const ItemCompletedSchema = z.looseObject({
  thread_id: str(),
  turn_id: str(),
  item: z.looseObject({ type: z.string(), id: str() }),
  started_at_ms: num(),
  completed_at_ms: num(),
});

export const CommandExecutionItemSchema = z.looseObject({
  id: str(),
  command: any(),
  cwd: str(),
  exit_code: num(),
  duration: any(),
  status: str(),
  aggregated_output: str(),
  source: any(),
});

export const UserMessageEventSchema = z.looseObject({ message: z.string(), kind: str(), images: arr() });
export const AgentMessageEventSchema = z.looseObject({ message: z.string() });
export const AgentReasoningEventSchema = z.looseObject({ text: z.string() });

export const ExecCommandEndSchema = z.looseObject({
  call_id: z.string(),
  exit_code: num(),
  duration: any(),
  aggregated_output: str(),
  formatted_output: str(),
  stdout: str(),
  stderr: str(),
  command: any(),
  cwd: str(),
});

export const PatchApplyEndSchema = z.looseObject({
  call_id: z.string(),
  success: bool(),
  stdout: str(),
  stderr: str(),
});

export const McpToolCallEndSchema = z.looseObject({
  call_id: z.string(),
  invocation: z.looseObject({ server: str(), tool: str(), arguments: any() }).nullish().catch(undefined),
  duration: any(),
  result: any(),
});

export const ThreadSettingsAppliedSchema = z.looseObject({
  thread_id: str(),
  thread_settings: z
    .looseObject({
      model: str(),
      model_provider_id: str(),
      approval_policy: any(),
      sandbox_policy: any(),
      permission_profile: any(),
      active_permission_profile: any(),
      cwd: str(),
    })
    .nullish()
    .catch(undefined),
});

// ---- response_item (enveloped payload or a bare pre-2025-09 line) -------------------------------

export const ResponseItemSchema = z.looseObject({
  type: z.string(),
  id: str(),
  internal_chat_message_metadata_passthrough: turnMeta.nullish().catch(undefined),
});

export const MessageItemSchema = z.looseObject({
  role: z.string(),
  content: z
    .union([z.array(z.unknown()), z.string()])
    .optional()
    .catch(undefined),
  phase: str(),
});

export const FunctionCallSchema = z.looseObject({ call_id: str(), name: str(), namespace: str(), arguments: any() });
export const FunctionCallOutputSchema = z.looseObject({ call_id: str(), output: any() });
export const CustomToolCallSchema = z.looseObject({ call_id: str(), name: str(), input: any(), status: str() });
export const LocalShellCallSchema = z.looseObject({ call_id: str(), status: str(), action: any() });
export const WebSearchCallSchema = z.looseObject({ status: str(), action: any() });
export const ReasoningSchema = z.looseObject({ summary: arr(), content: any(), encrypted_content: str() });

export const RESPONSE_ITEM_TYPES = new Set([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'web_search_call',
  'additional_tools',
  'ghost_snapshot',
  'compaction',
  'compaction_summary',
  'image_generation_call',
  'tool_search_call',
  'tool_search_output',
  'other',
]);

/** Envelope types the parser understands (spec §3, `RolloutItem`). */
export const ENVELOPE_TYPES = new Set([
  'session_meta',
  'turn_context',
  'response_item',
  'event_msg',
  'token_usage_record',
  'compacted',
  'world_state',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  // Line types of 0.169/0.171 that count nothing; kept as content (security_risk_score also as a
  // CODEX_SECURITY_LOG record, decisions/0024), never skipped as unknown.
  'security_risk_score',
  'retained_context',
  'dynamic_tools_updated',
  'realtime_item',
]);

// The rows one enriched event becomes in the fact tables, shared by the ingest path
// (ingest.repository.ts) and the fresh-batch loader (fresh-batch.repository.ts), so that both store
// the same values for the same event.
import type {
  EnrichedOf,
  ModelResponse,
  NormalizedEvent,
  ThreadStarted,
  ToolCall,
  TurnStarted,
} from '../core/events.js';
import { dayOf, weekOfDay } from '../core/time.js';
import type { Gained } from './reconcile.repository.js';
import { matchThread } from './reconcile.repository.js';

type Item<E extends NormalizedEvent> = EnrichedOf<E>;
type Row = Record<string, string | number | null>;

/** The threads row the first event naming a thread makes. */
export function threadRow(i: Item<NormalizedEvent>): Row {
  const started = i.event.kind === 'thread_started' ? (i.event as ThreadStarted) : undefined;
  return {
    workspace_id: i.workspaceId,
    thread_id: i.event.threadId,
    user_id: i.userId,
    client_id: i.clientId,
    originator: i.event.originator ?? null,
    thread_kind: started?.threadKind ?? (i.event.kind === 'turn' ? i.event.threadKind : 'user'),
    parent_thread_id: started?.parentThreadId ?? null,
    first_seen_at: i.event.ts,
    model: i.event.model ?? null,
    approval_policy: started?.approvalPolicy ?? null,
    sandbox_policy: started?.sandboxPolicy ?? null,
    host_name: i.hostName ?? null,
    source: i.source,
  };
}

/** `gained`: the ids a session file's fact matched in the same batch gives it (reconcile). */
export function turnRow(i: Item<TurnStarted>, gained?: Gained): Row {
  return {
    workspace_id: i.workspaceId,
    turn_key: i.event.key,
    turn_id: i.event.turnId ?? gained?.turnId ?? null,
    thread_id: i.event.threadId,
    user_id: i.userId,
    client_id: i.clientId,
    ts: i.event.ts,
    model: i.event.model ?? null,
    prompt_length: i.event.promptLength ?? null,
    source: i.source,
    match_thread: matchThread(i),
  };
}

export function responseRow(i: Item<ModelResponse>, gained?: Gained): Row {
  return {
    workspace_id: i.workspaceId,
    request_key: i.event.key,
    response_id: i.event.responseId ?? gained?.responseId ?? null,
    turn_id: i.event.turnId ?? gained?.turnId ?? null,
    thread_id: i.event.threadId,
    user_id: i.userId,
    client_id: i.clientId,
    ts: i.event.ts,
    model: i.event.model ?? 'unknown',
    input_tokens: i.event.tokens.input,
    cached_input_tokens: i.event.tokens.cached,
    output_tokens: i.event.tokens.output,
    reasoning_tokens: i.event.tokens.reasoning,
    cost_nusd: i.priced.costNanoUsd,
    credits_n: i.priced.creditsNano,
    pricing_version: i.priced.pricingVersion,
    fallback_priced: i.priced.fallback ? 1 : 0,
    source: i.source,
  };
}

/** The tool_events row of one record (without `gained`: the caller knows what the insert fills). */
export function toolRow(i: Item<ToolCall>): Row {
  return {
    workspace_id: i.workspaceId,
    tool_key: i.event.key,
    thread_id: i.event.threadId,
    user_id: i.userId,
    call_id: i.event.callId,
    ts: i.event.ts,
    tool_name: i.event.toolName ?? null,
    decision: i.event.decision ?? null,
    decision_source: i.event.decisionSource ?? null,
    success: i.event.success === undefined ? null : i.event.success ? 1 : 0,
    duration_ms: i.event.durationMs ?? null,
    source: i.source,
  };
}

/** A counted turn's rows of the distinct-thread sets, day and week (`turn_key`: not a column). */
export function threadSetRows(i: Item<TurnStarted>): {
  day: Record<string, string | number>;
  week: Record<string, string | number>;
} {
  const day = dayOf(i.event.ts);
  const [ws, thread, key] = [i.workspaceId, i.event.threadId, i.event.key];
  return {
    day: { workspace_id: ws, bucket: day, thread_id: thread, turn_key: key },
    week: { workspace_id: ws, bucket: weekOfDay(day), thread_id: thread, turn_key: key },
  };
}

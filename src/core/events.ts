// The normalized model every source maps into. Sources produce these; pipeline steps enrich them;
// the ingest repository stores them idempotently on `key`.
import type { TokenCounts } from './pricing.js';

export type ThreadKind = 'user' | 'subagent' | 'title';

export interface EventContext {
  workspaceId: string;
  userId: string;
  keyId: string | null;
  source: 'otlp' | 'rollout' | 'api';
  hostName?: string;
  serviceName?: string;
  environment?: string;
  appVersion?: string;
  authMode?: string;
  emailClaim?: string;
  accountIdClaim?: string;
}

interface Base {
  key: string; // natural, idempotent key within the workspace (set by the dedupe-key step)
  // Source-specific tie-breaker for records that carry no id of their own (OTLP: the exporter's
  // observedTimeUnixNano, stable across retries of the same payload).
  discriminator?: string;
  threadId: string;
  ts: number; // epoch ms
  // The record carried no time and `ts` is its arrival: keys leave `ts` out (the discriminator is
  // then a digest of the record's content), so a replay is the same fact (decisions/0003).
  untimed?: boolean;
  originator?: string;
  model?: string;
  emailClaim?: string; // `user.email` sent by the client: a claim, trusted only for shared collector keys
}

export interface ThreadStarted extends Base {
  kind: 'thread_started';
  threadKind: ThreadKind;
  parentThreadId?: string;
  approvalPolicy?: string;
  sandboxPolicy?: string;
  provider?: string;
}

export interface TurnStarted extends Base {
  kind: 'turn';
  turnId?: string;
  promptLength?: number;
  prompt?: string;
  threadKind: ThreadKind;
}

export interface ModelResponse extends Base {
  kind: 'response';
  responseId?: string;
  turnId?: string;
  tokens: TokenCounts;
  cacheWrite?: number;
  text?: string; // the assistant's reply, when the source carries it (session files): CODEX_LOG response.text
}

export interface ToolCall extends Base {
  kind: 'tool';
  callId: string;
  toolName?: string;
  decision?: string;
  decisionSource?: string;
  success?: boolean;
  durationMs?: number;
  arguments?: string;
  output?: string;
  exitCode?: number;
}

export type NormalizedEvent = ThreadStarted | TurnStarted | ModelResponse | ToolCall;

export interface Drop {
  drop: true;
  reason: DropReason;
  detail?: string;
}

export const DROP_REASONS = ['not_codex_event', 'unknown_user', 'missing_conversation_id', 'missing_tokens', 'invalid_attribute', 'invalid_record', 'not_relevant'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export function drop(reason: DropReason, detail?: string): Drop {
  return { drop: true, reason, detail };
}

export function isDrop(x: unknown): x is Drop {
  return typeof x === 'object' && x !== null && (x as Drop).drop === true;
}

// An event after the pipeline: attributed, classified and priced, ready to store.
export interface EnrichedEvent {
  event: NormalizedEvent;
  workspaceId: string;
  userId: string;
  clientId: string;
  source: EventContext['source'];
  hostName?: string;
  // Title-generation and similar helper turns cost tokens but are not user turns or threads.
  countsAsTurn: boolean;
  priced?: import('./pricing.js').Priced;
  // Set by the redact step: what the content policy did to each text field, and DLP findings.
  content?: Partial<Record<import('./content-policy.js').ContentField, { mode: import('./content-policy.js').ContentMode; length: number; redactions: number }>>;
  findings?: import('./content-policy.js').ContentFinding[];
}

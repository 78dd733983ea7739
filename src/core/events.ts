// The normalized model every source maps into. Sources produce these; pipeline steps enrich them;
// the ingest repository stores them idempotently on `key`.
import type { ContentFinding, ContentMode, DlpField } from './content-policy.js';
import type { Priced, TokenCounts } from './pricing.js';

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
  /** The MCP server that ran the tool (OTLP tool_result mcp_server; empty means none). */
  mcpServer?: string;
  arguments?: string;
  output?: string;
  exitCode?: number;
}

// A Codex event that is not one of the facts above, kept in the archive and counted, never an error:
// a skill invocation (counted by analytics: skill_invocations), a guardian assessment or risk score
// (CODEX_SECURITY_LOG), an event or line type Steward has no meaning for yet (CODEX_LOG "event").
export interface Observation extends Base {
  kind: 'observation';
  /** OTLP `event.name`, or a session file's line type. */
  name: string;
  category: 'skill_invocation' | 'guardian_assessment' | 'risk_score' | 'known' | 'unknown';
  turnId?: string;
  skillName?: string;
  skillScope?: string;
  /** The record's own attributes (bounded by the source), as received. */
  attributes: Record<string, unknown>;
}

export type NormalizedEvent = ThreadStarted | TurnStarted | ModelResponse | ToolCall | Observation;

export interface Drop {
  drop: true;
  reason: DropReason;
  detail?: string;
}

export const DROP_REASONS = [
  'not_codex_event',
  'unknown_user',
  'missing_conversation_id',
  'missing_tokens',
  'invalid_attribute',
  'invalid_record',
  'not_relevant',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export function drop(reason: DropReason, detail?: string): Drop {
  return { drop: true, reason, detail };
}

export function isDrop(x: unknown): x is Drop {
  return typeof x === 'object' && x !== null && (x as Drop).drop === true;
}

// What the pipeline adds to an event: who, which client, and what the content policy did to each
// text field (with its DLP findings).
interface Enrichment {
  workspaceId: string;
  userId: string;
  service?: true; // sent with a service identity's key: counts in totals, not as an active user
  clientId: string;
  source: EventContext['source'];
  hostName?: string;
  content?: Partial<Record<DlpField, { mode: ContentMode; length: number; redactions: number }>>;
  findings?: ContentFinding[];
}

// An event after the pipeline: attributed, classified and priced (a response always carries its
// price; nothing else has one), ready to store.
export type EnrichedOf<E extends NormalizedEvent> = E extends ModelResponse
  ? Enrichment & { event: E; priced: Priced }
  : Enrichment & { event: E; priced?: undefined };
export type EnrichedEvent = EnrichedOf<NormalizedEvent>;

/** Drops counted by reason: every source reports its rejections in this one vocabulary. */
export type DropTally = Partial<Record<DropReason, number>>;

export function tallyDrops(tally: DropTally, reason: DropReason, n = 1): void {
  tally[reason] = (tally[reason] ?? 0) + n;
}

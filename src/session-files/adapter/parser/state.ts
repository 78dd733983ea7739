// The parser's state for one file: ONE record, which is also what a checkpoint stores (as JSON in
// rollout_files.state). Handlers change it in place; saveState/loadState only turn its Sets and its
// Map into arrays and back, generically, so a field added to ParserState is checkpointed without
// more code. The stored shape is the one the parser has always written (RolloutParserState): the
// same keys in the same order, so checkpoints stored before this record existed resume exactly
// (test/fixtures/rollouts/checkpoints).
import type { RolloutFormat, RolloutThreadInfo, ToolKind, UsageTotals } from '../types.js';

// Ids remembered for dedupe (response ids, turn ids, emitted tool calls): repeats come close together,
// and the pipeline's keys dedupe across files anyway. Bounds the checkpoint size.
export const MAX_REMEMBERED = 8192;
export const MAX_PENDING_TOOLS = 1000;
export const MAX_REPLY_CHARS = 256 * 1024;

/** Where an event that is emitted later was first seen. */
export interface PendingRef {
  ts: number;
  line: number;
  offset: number;
  ordinal?: number;
  disc: string;
}

export interface TurnState extends PendingRef {
  id?: string;
  index: number;
  openedBy: 'task_started' | 'user_message' | 'reference';
  model?: string; // from this turn's turn_context
  contextSeen?: boolean; // this turn's turn_context was read
  prompt?: string;
  fallbackPrompt?: string;
  emitted: boolean;
  ended: boolean;
  inherited?: boolean;
  rootTurnId?: string;
  parentTurnId?: string;
  trigger?: string;
}

export interface ToolState extends PendingRef {
  callId: string;
  toolName?: string;
  toolKind: ToolKind;
  turnId?: string;
  arguments?: string;
  argumentsTruncated?: boolean;
  output?: string;
  outputTruncated?: boolean;
  outputTs?: number;
  exitCode?: number;
  durationMs?: number;
  durationSource?: 'exec' | 'output';
  success?: boolean;
  command?: unknown;
  cwd?: string;
  status?: string;
  aggregatedOutput?: string;
}

export interface ParserState {
  v: 1;
  format?: RolloutFormat;
  thread?: RolloutThreadInfo;
  threadMetaSeen: boolean;
  threadEmitted: boolean;
  threadPending?: PendingRef;
  model?: string;
  approvalPolicy?: string;
  sandboxPolicy?: string;
  provider?: string;
  turn?: TurnState;
  turnsOpened: number;
  knownTurns: Set<string>;
  mirrorTurns: Set<string>; // a sub-agent's turns that the parent's file mirrors
  recordMode: boolean; // token_usage_record counts; token_count does not
  prevTotal?: UsageTotals;
  seenResponses: Set<string>;
  tools: Map<string, ToolState>; // by callId, waiting for their output, oldest first
  emittedTools: Set<string>;
  lastTs?: number;
  inherited?: { active: boolean; lastTs: number }; // inside copied parent history (old fork)
  replyText?: string; // assistant text since the last response, for ModelResponse.text
}

type Stored<T> = { [K in keyof T]: T[K] extends Set<infer U> ? U[] : T[K] extends Map<string, infer V> ? V[] : T[K] };

/** ParserState as a checkpoint stores it: Sets as arrays, the tool Map as its values. */
export type RolloutParserState = Stored<ParserState>;

/** The state of a file not read yet. Its key order is the order a checkpoint is written in. */
export function newState(): ParserState {
  return {
    v: 1,
    format: undefined,
    thread: undefined,
    threadMetaSeen: false,
    threadEmitted: false,
    threadPending: undefined,
    model: undefined,
    approvalPolicy: undefined,
    sandboxPolicy: undefined,
    provider: undefined,
    turn: undefined,
    turnsOpened: 0,
    knownTurns: new Set(),
    mirrorTurns: new Set(),
    recordMode: false,
    prevTotal: undefined,
    seenResponses: new Set(),
    tools: new Map(),
    emittedTools: new Set(),
    lastTs: undefined,
    inherited: undefined,
    replyText: undefined,
  };
}

// Objects are copied one level deep, so that a checkpoint taken (or given) is never changed by
// handlers that update the turn, a pending tool or the inherited-history marker in place.
const copy = <T>(v: T): T => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v);

export function loadState(stored: RolloutParserState): ParserState {
  const s = newState() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(stored)) {
    if (!(k in s)) continue; // not a field of the state: not carried forward
    const cur = s[k];
    if (cur instanceof Set) s[k] = new Set(v as string[]);
    else if (cur instanceof Map) s[k] = new Map((v as ToolState[]).map((t) => [t.callId, { ...t }]));
    else s[k] = copy(v);
  }
  return s as unknown as ParserState;
}

export function saveState(state: ParserState): RolloutParserState {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state))
    out[k] = v instanceof Set ? [...v] : v instanceof Map ? [...v.values()].map(copy) : copy(v);
  return out as RolloutParserState;
}

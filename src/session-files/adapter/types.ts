// Public types of the rollout source: what the parser emits per file (normalized events, content
// records for compliance, per-file stats) and the checkpoint a later read resumes from (its parser
// state is the record defined in parser/state.ts).
import type {
  ModelResponse,
  Observation,
  ThreadKind,
  ThreadStarted,
  ToolCall,
  TurnStarted,
} from '../../core/events.js';
import type { RolloutParserState } from './parser/state.js';

export type { RolloutParserState } from './parser/state.js';

/**
 * `bare`: pre-2025-09 (no envelope); `envelope`: 2025-09+ `{timestamp,type,payload}`; `v0169`: envelope
 * with `ordinal`/`token_usage_record`.
 */
export type RolloutFormat = 'bare' | 'envelope' | 'v0169';

export interface RolloutGit {
  commitHash?: string;
  branch?: string;
  repositoryUrl?: string;
}

/** Everything session_meta (or the bare first line) says about the file's thread. */
export interface RolloutThreadInfo {
  threadId: string; // session_meta.id (the file's own thread)
  sessionId?: string; // equals the parent's id for sub-agents
  kind: ThreadKind; // 'subagent' for thread_source=subagent / source.subagent, 'title' for thread_source=thread_title
  parentThreadId?: string;
  forkedFromId?: string;
  forkedFromOrdinal?: number;
  historyBase?: { threadId?: string; endOrdinalExclusive?: number; endByteOffset?: number };
  originator?: string;
  cliVersion?: string;
  cwd?: string;
  git?: RolloutGit;
  source?: string; // 'exec', 'vscode', 'cli', 'subagent:review', …
  sourceRaw?: unknown;
  threadSource?: string; // 'user', 'subagent', 'thread_title', …
  provider?: string;
  historyMode?: string;
  startedAt?: number; // epoch ms
  agentNickname?: string;
  agentRole?: string;
}

/** Fields every event from this source carries besides the core ones. */
export interface RolloutEventExtras {
  discriminator: string; // always set: `${sourceThreadId}:${ordinal}` (0.169+) or `${sourceThreadId}@${byteOffset}`
  sourceThreadId: string; // the thread of the file the event came from
  childThreadId?: string; // set when threadId was rolled up from this sub-agent thread to its parent
  line: number;
  offset: number;
  ordinal?: number;
}

export type RolloutThreadStarted = ThreadStarted & RolloutEventExtras & { thread: RolloutThreadInfo };
export type RolloutTurnStarted = TurnStarted &
  RolloutEventExtras & { turnIndex: number; rootTurnId?: string; parentTurnId?: string; trigger?: string };
export type TokenSource = 'token_usage_record' | 'last_token_usage' | 'total_delta';
export type RolloutModelResponse = ModelResponse &
  RolloutEventExtras & {
    tokenSource: TokenSource;
    totalTokens: number;
    rootTurnId?: string;
    isFallbackModel?: boolean;
  };
export type ToolKind = 'function' | 'custom' | 'local_shell' | 'web_search' | 'mcp' | 'exec';
export type RolloutToolCall = ToolCall &
  RolloutEventExtras & {
    turnId?: string;
    toolKind: ToolKind;
    exitCode?: number;
    durationSource?: 'exec' | 'output' | 'timestamps';
    argumentsTruncated?: boolean;
    outputTruncated?: boolean;
  };
export type RolloutObservation = Observation & RolloutEventExtras;
export type RolloutEvent =
  | RolloutThreadStarted
  | RolloutTurnStarted
  | RolloutModelResponse
  | RolloutToolCall
  | RolloutObservation;

// ---- content records (compliance) --------------------------------------------------------------

/** Where a text came from. The parser marks one origin canonical per format. */
export type ContentOrigin = 'event_msg' | 'item_completed' | 'response_item' | 'bare_item' | 'compacted';

export interface RolloutContentBase {
  threadId: string; // the file's own thread
  attributedThreadId: string; // the thread the events were attributed to (the parent, for sub-agents)
  turnId?: string;
  ts: number;
  line: number;
  offset: number;
  ordinal?: number;
  discriminator: string;
  inherited?: boolean; // copied parent history in an old, non-paginated fork
  foreignThreadId?: string; // the line describes another thread (e.g. a review child mirrored in its parent)
  truncated?: boolean; // the line was over its size limit and only its head was read
}

export type RolloutContentBody =
  | { kind: 'session'; thread: RolloutThreadInfo; raw: Record<string, unknown>; duplicate?: boolean }
  | {
      kind: 'turn_context';
      model?: string;
      cwd?: string;
      approvalPolicy?: string;
      sandboxPolicy?: string;
      effort?: unknown;
      summary?: unknown;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'settings';
      model?: string;
      provider?: string;
      approvalPolicy?: string;
      sandboxPolicy?: string;
      cwd?: string;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'turn_started';
      parentTurnId?: string;
      rootTurnId?: string;
      trigger?: string;
      subagentMirror: boolean;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'turn_complete';
      aborted: boolean;
      durationMs?: number;
      lastAgentMessage?: string;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'user_message';
      text: string;
      canonical: boolean;
      injected: boolean;
      origin: ContentOrigin;
      itemId?: string;
      images?: number;
    }
  | {
      kind: 'assistant_message';
      text: string;
      canonical: boolean;
      origin: ContentOrigin;
      itemId?: string;
      phase?: string;
    }
  | { kind: 'developer_message'; role: string; text: string; itemId?: string }
  | { kind: 'reasoning'; summary: string[]; text?: string; encryptedContent?: string }
  | {
      kind: 'tool_call';
      callId: string;
      toolName?: string;
      toolKind: ToolKind;
      arguments?: string;
      output?: string;
      exitCode?: number;
      success?: boolean;
      durationMs?: number;
      command?: unknown;
      cwd?: string;
      status?: string;
      aggregatedOutput?: string;
      argumentsTruncated?: boolean;
      outputTruncated?: boolean;
    }
  | { kind: 'compaction'; message?: string; replacementHistoryItems?: number; compactionResponseId?: string }
  | { kind: 'review'; phase: 'entered' | 'exited'; raw: unknown }
  | { kind: 'rate_limits'; raw: unknown }
  // unknown: a line type Steward does not know (its strings are DLP-scanned when stored).
  | { kind: 'other'; type: string; subtype?: string; raw?: unknown; head?: string; unknown?: true };

export type RolloutContent = RolloutContentBase & RolloutContentBody;

// ---- per-file results ---------------------------------------------------------------------------

export type SkipReason =
  | 'truncated_json'
  | 'garbage'
  | 'binary'
  | 'not_object'
  | 'invalid_shape'
  | 'oversized_unparsed'
  | 'implausible_value';

export interface SkippedLine {
  line: number;
  offset: number;
  bytes: number;
  reason: SkipReason;
  detail?: string;
  recovered?: boolean; // a whole record after the junk on the same line was still read
}

export interface UsageTotals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  cacheWrite: number;
  total: number; // input + output
}

export interface RolloutStats {
  path?: string;
  threadId?: string;
  format?: RolloutFormat;
  startOffset: number; // where this read began
  endOffset: number; // bytes consumed up to here: resume from this offset
  lines: number; // complete lines consumed in this read (blank and bad ones included)
  blankLines: number;
  turns: number;
  responses: number;
  toolCalls: number;
  tokens: UsageTotals;
  fallbackModelResponses: number; // responses whose model was unknown (priced as the fallback model)
  duplicateResponses: number; // token_usage_record lines repeating a response_id
  ignoredTokenCounts: {
    infoNull: number;
    repeated: number;
    zero: number;
    superseded: number;
    inherited: number;
    noUsage: number;
    foreign: number;
  };
  skipped: SkippedLine[]; // capped (see skippedCount)
  skippedCount: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  // Lines of a type Steward does not know (a newer Codex): kept as content kind `other`, not skipped.
  unknownLines: number;
  unknownTypes: Record<string, number>; // by type, at most MAX_UNKNOWN_TYPES names (the rest under "(more)")
  // Over-limit lines read from their head only.
  trimmed: { line: number; offset: number; bytes: number; type?: string }[];
  partialTail?: { line: number; offset: number; bytes: number }; // unterminated last line left unread
  inheritedLines: number;
  readError?: string; // e.g. a corrupt or truncated .gz; lines before it were still read
  reset?: 'file_replaced' | 'file_shrank'; // the checkpoint did not fit the file; read from 0
}

export interface RolloutCheckpoint {
  v: 1;
  path?: string;
  offset: number; // bytes of complete lines consumed (decompressed bytes for .gz)
  lines: number;
  size?: number; // file size when read (informational)
  ino?: number; // inode, to notice a replaced file
  state: RolloutParserState;
}

export interface RolloutReadResult {
  stats: RolloutStats;
  checkpoint: RolloutCheckpoint;
}

export type RolloutRecord =
  | { type: 'event'; event: RolloutEvent }
  | { type: 'content'; content: RolloutContent }
  | { type: 'done'; result: RolloutReadResult };

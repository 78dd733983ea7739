// What normalizing one line yields: the facts it states, for the parser to apply. Plus the tiny
// guards every normalizer shares.
import { type SessionMetaPayload } from '../schema.js';
import type { ContentOrigin, SkipReason, ToolKind, UsageTotals } from '../types.js';

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const optStr = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

// ---- facts --------------------------------------------------------------------------------------

export type LineFact =
  | { f: 'session_meta'; meta: SessionMetaPayload; raw: Obj }
  | { f: 'bare_meta'; id: string; timestamp?: string; git?: unknown; raw: Obj }
  | { f: 'state_marker' }
  | {
      f: 'turn_context';
      turnId?: string;
      rootTurnId?: string;
      model?: string;
      cwd?: string;
      approvalPolicy?: string;
      sandboxPolicy?: string;
      effort?: unknown;
      summary?: unknown;
      raw: Obj;
    }
  | {
      f: 'settings';
      threadId?: string;
      model?: string;
      provider?: string;
      approvalPolicy?: string;
      sandboxPolicy?: string;
      cwd?: string;
      raw: Obj;
    }
  | { f: 'task_started'; turnId?: string; rootTurnId?: string; parentTurnId?: string; trigger?: string; raw: Obj }
  | { f: 'task_complete'; turnId?: string; aborted: boolean; durationMs?: number; lastAgentMessage?: string; raw: Obj }
  | { f: 'turn_ref'; turnId: string; itemThreadId?: string }
  | {
      f: 'user_text';
      text: string;
      canonical: boolean;
      injected: boolean;
      origin: ContentOrigin;
      turnId?: string;
      itemThreadId?: string;
      itemId?: string;
      images?: number;
    }
  | {
      f: 'assistant_text';
      text: string;
      canonical: boolean;
      origin: ContentOrigin;
      turnId?: string;
      itemThreadId?: string;
      itemId?: string;
      phase?: string;
    }
  | { f: 'developer_text'; role: string; text: string; itemId?: string }
  | { f: 'reasoning'; summary: string[]; text?: string; encrypted?: string }
  | {
      f: 'usage_record';
      responseId?: string;
      turnId?: string;
      rootTurnId?: string;
      threadId?: string;
      usage: UsageTotals;
      threadUsage?: UsageTotals;
    }
  | {
      f: 'token_count';
      info: null | { last?: UsageTotals; total?: UsageTotals; model?: string };
      model?: string;
      rateLimits?: unknown;
    }
  | {
      f: 'tool_call';
      callId?: string;
      toolName?: string;
      toolKind: ToolKind;
      arguments?: string;
      argumentsTruncated?: boolean;
      status?: string;
      turnId?: string;
    }
  | {
      f: 'tool_exec';
      callId: string;
      itemThreadId?: string;
      turnId?: string;
      exitCode?: number;
      durationMs?: number;
      command?: unknown;
      cwd?: string;
      aggregatedOutput?: string;
      status?: string;
      success?: boolean;
    }
  | {
      f: 'tool_output';
      callId?: string;
      output?: string;
      outputTruncated?: boolean;
      exitCode?: number;
      durationMs?: number;
      success?: boolean;
      turnId?: string;
    }
  | {
      f: 'tool_complete';
      callId?: string;
      toolName?: string;
      toolKind: ToolKind;
      arguments?: string;
      output?: string;
      success?: boolean;
      durationMs?: number;
      status?: string;
      turnId?: string;
    }
  | { f: 'compaction'; message?: string; replacementHistoryItems?: number; compactionResponseId?: string }
  | { f: 'review'; phase: 'entered' | 'exited'; raw: unknown; itemThreadId?: string; turnId?: string }
  | { f: 'rate_limits'; raw: unknown }
  | {
      f: 'other';
      type: string;
      subtype?: string;
      raw?: unknown;
      head?: string;
      itemThreadId?: string;
      // A line type Steward has no meaning for (a newer Codex): kept and counted, never an error.
      unknown?: true;
    }
  | { f: 'skip'; reason: SkipReason; detail?: string };

export interface NormalizedLine {
  format: 'envelope' | 'bare';
  ts?: number;
  ordinal?: number;
  truncated?: boolean;
  facts: LineFact[];
}

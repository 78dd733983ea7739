// The stateful per-file rollout parser, as a thin driver: each line is decoded (decode.ts) and
// normalized into facts (normalize.ts); each fact goes to its handler (threads, turns, responses,
// tools, content), which updates the file's state record (state.ts) and emits normalized events
// (core/events.ts) and content records for compliance, with per-file stats. The state record is
// the checkpoint: a later read of a growing file continues from it where this one stopped.
import { timeProblem } from '../../../core/bounds.js';
import { factIdProblem } from '../normalize/ids.js';
import { decodeJsonLine, decodeLazyLine, type RawLine } from '../decode.js';
import { normalizeLine, normalizeOversized, type LineFact, type NormalizedLine } from '../normalize.js';
import { normalizeUsageLine } from '../normalize/usage-lines.js';
import type { RolloutRecord, RolloutStats } from '../types.js';
import { inheritedFact, onOther, onReview, simpleContent } from './content.js';
import { type LineCtx, type Parse, countUnknown, drain, ownId, ref, skip } from './context.js';
import { onAssistantText, onTokenCount, onUsageRecord } from './responses.js';
import { type ParserState, type RolloutParserState, loadState, newState, saveState } from './state.js';
import { bareSkippable, readEnvelope, usageSkippable } from './usage-scan.js';
import { type CheckedBodies, metaWithoutInstructions } from './usage-meta.js';
import { flushThread, onBareMeta, onSessionMeta, onSettings } from './threads.js';
import { onToolCall, onToolComplete, onToolExec, onToolOutput, emitTool } from './tools.js';
import { emitTurn, onTaskComplete, onTaskStarted, onTurnContext, onUserText, refTurn } from './turns.js';

/** In an old non-paginated fork, the copied parent history is one write burst; a pause this long ends it. */
export const INHERIT_GAP_MS = 250;
export const DEFAULT_MAX_TOOL_OUTPUT_BYTES = 1024 * 1024;

export interface ParserOptions {
  path?: string;
  /** The file's thread id if the file has no session_meta (normally from the file name). */
  threadIdHint?: string;
  /** State from a previous read's checkpoint. */
  state?: RolloutParserState;
  /** Emit content records (default true). */
  content?: boolean;
  /** Give a sub-agent's (and title thread's) turns, responses and tool calls the parent's thread id (default true). */
  attributeSubagentsToParent?: boolean;
  /** Time for lines that carry none (pre-2025-09 items) when nothing earlier had one: e.g. the file's mtime. */
  fallbackTs?: number;
  startOffset?: number;
  /**
   * The usage-only pass (steward report): lines that cannot change a response, a counted turn, a
   * thread or a model are left undecoded (usage-scan.ts), and no content is made. Responses, turns
   * and threads come out as in a full read; tool calls do not. Its checkpoint resumes only a
   * usage-only read.
   */
  usageOnly?: boolean;
  /** Instructions already checked by this reader (usage-meta.ts), for a reader going file after file. */
  checkedBodies?: CheckedBodies;
}

function emptyStats(path: string | undefined, startOffset: number): RolloutStats {
  return {
    path,
    startOffset,
    endOffset: startOffset,
    lines: 0,
    blankLines: 0,
    turns: 0,
    responses: 0,
    toolCalls: 0,
    tokens: { input: 0, cached: 0, output: 0, reasoning: 0, cacheWrite: 0, total: 0 },
    fallbackModelResponses: 0,
    duplicateResponses: 0,
    ignoredTokenCounts: { infoNull: 0, repeated: 0, zero: 0, superseded: 0, inherited: 0, noUsage: 0, foreign: 0 },
    skipped: [],
    skippedCount: 0,
    skippedByReason: {},
    unknownLines: 0,
    unknownTypes: {},
    trimmed: [],
    inheritedLines: 0,
  };
}

/**
 * A session_meta line parsed without its instruction text (usage-meta.ts), or undefined: decode the
 * line whole, as always (not such a line, or the cut one does not parse as an object).
 */
function parsedWithoutInstructions(buf: Buffer, checked?: CheckedBodies): Record<string, unknown> | undefined {
  const cut = metaWithoutInstructions(buf, checked);
  if (!cut) return undefined;
  try {
    const v = JSON.parse(cut.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class RolloutParser implements Parse {
  readonly st: ParserState;
  readonly stats: RolloutStats;
  out: RolloutRecord[] = [];
  readonly withContent: boolean;
  readonly toParent: boolean;
  private readonly usageOnly: boolean;

  constructor(private readonly opts: ParserOptions = {}) {
    this.usageOnly = opts.usageOnly === true;
    this.withContent = opts.content !== false && !this.usageOnly;
    this.toParent = opts.attributeSubagentsToParent !== false;
    this.stats = emptyStats(opts.path, opts.startOffset ?? 0);
    this.st = opts.state ? loadState(opts.state) : newState();
    this.stats.format = this.st.format;
    this.stats.threadId = this.st.thread?.threadId;
  }

  /** The state record as a checkpoint stores it. */
  state(): RolloutParserState {
    return saveState(this.st);
  }

  /** Processes one complete line; returns the records it produced. Never throws on bad input. */
  line(raw: RawLine): readonly RolloutRecord[] {
    this.stats.lines++;
    this.stats.endOffset = Math.max(this.stats.endOffset, raw.offset + raw.bytes + 1);
    if (raw.buf) {
      if (this.usageOnly) {
        // The envelope is read once from the bytes, for the skip and for the session_meta cut.
        const env = readEnvelope(raw.buf);
        // A bare line skipped changes nothing: it has no time, and the format is placed already.
        if (!env && bareSkippable(raw.buf, this.st)) return drain(this);
        const skipped = env ? usageSkippable(raw.buf, this.st, env) : undefined;
        if (skipped) {
          // What apply() takes from any envelope line: its time (for later lines without one) and format.
          if (skipped.ts !== undefined) this.st.lastTs = skipped.ts;
          if (skipped.ordinal) this.st.format = 'v0169';
          else if (this.st.format !== 'v0169') this.st.format = 'envelope';
          return drain(this);
        }
        // Only a line whose first type is session_meta can be one metaWithoutInstructions cuts.
        const meta = env?.type?.startsWith('session_meta')
          ? parsedWithoutInstructions(raw.buf, this.opts.checkedBodies)
          : undefined;
        if (meta) {
          this.apply(raw, normalizeUsageLine(meta) ?? normalizeLine(meta));
          return drain(this);
        }
      }
      decodeLazyLine(raw);
    }
    let norm: NormalizedLine;
    if (raw.oversized) {
      norm = normalizeOversized(raw);
      const first = norm.facts.find((f) => f.f !== 'skip' && f.f !== 'turn_ref');
      this.stats.trimmed.push({ line: raw.lineNo, offset: raw.offset, bytes: raw.bytes, type: first?.f });
    } else {
      const text = raw.text ?? '';
      if (text.trim() === '') {
        this.stats.blankLines++;
        return drain(this);
      }
      const d = decodeJsonLine(text, raw.binary);
      if (!d.ok) {
        skip(this, raw, d.problem, d.detail);
        return drain(this);
      }
      if (d.recoveredFrom !== undefined)
        skip(this, raw, d.droppedPrefix ?? 'garbage', `junk before a record at column ${d.recoveredFrom}`, true);
      // The usage-only mode checks its kept lines by hand (normalize/usage-lines.ts), the rest by zod.
      norm = (this.usageOnly ? normalizeUsageLine(d.value) : undefined) ?? normalizeLine(d.value);
    }
    this.apply(raw, norm);
    return drain(this);
  }

  /**
   * End of this read. With `final` (the file is complete), everything still pending is emitted: the
   * thread, a turn whose prompt or turn_context never came, tool calls without output. Without it
   * they stay in the state, so a file read while it is being written loses nothing: the next read
   * (from the checkpoint) emits them once their lines arrive. Turns close themselves during normal
   * reading (prompt + turn_context, task_complete, or the next turn), so only a turn cut off at the
   * end of a read is held back.
   */
  finish(opts: { final?: boolean } = {}): readonly RolloutRecord[] {
    if (opts.final) {
      if (this.st.thread) flushThread(this);
      if (this.st.turn && !this.st.turn.emitted) emitTurn(this, this.st.turn);
      for (const t of [...this.st.tools.values()]) emitTool(this, t);
    }
    this.stats.format = this.st.format;
    this.stats.threadId = this.st.thread?.threadId;
    return drain(this);
  }

  private apply(raw: RawLine, norm: NormalizedLine): void {
    const bad = factIdProblem(norm.facts);
    if (bad) return skip(this, raw, 'implausible_value', bad);
    if (norm.format === 'bare') this.st.format ??= 'bare';
    else if (norm.ordinal !== undefined) this.st.format = 'v0169';
    else if (this.st.format !== 'v0169') this.st.format = 'envelope';
    if (!this.st.thread) this.st.thread = { threadId: this.opts.threadIdHint ?? '', kind: 'user' };
    // The fallback is the client's mtime_ms on uploads: used only when within core/bounds.ts.
    const fallback = this.opts.fallbackTs;
    const fallbackTs = fallback !== undefined && timeProblem(fallback) === undefined ? fallback : undefined;
    const ts = norm.ts ?? this.st.lastTs ?? this.st.thread.startedAt ?? fallbackTs ?? 0;
    if (norm.ts !== undefined) this.st.lastTs = norm.ts;
    const ctx: LineCtx = { raw, ts, ordinal: norm.ordinal, truncated: norm.truncated };
    if (!this.st.threadPending) this.st.threadPending = ref(this, ctx);

    let inherited = false;
    if (this.st.inherited?.active) {
      if (norm.ts !== undefined && norm.ts - this.st.inherited.lastTs > INHERIT_GAP_MS)
        this.st.inherited.active = false;
      else {
        if (norm.ts !== undefined) this.st.inherited.lastTs = norm.ts;
        inherited = true;
        this.stats.inheritedLines++;
      }
    }
    for (const f of norm.facts) {
      if (f.f === 'other' && f.unknown) countUnknown(this, f.type);
      if (f.f === 'skip') skip(this, raw, f.reason, f.detail);
      else if (inherited) inheritedFact(this, f, ctx);
      else this.fact(f, ctx);
    }
  }

  private fact(f: LineFact, ctx: LineCtx): void {
    switch (f.f) {
      case 'session_meta':
        return onSessionMeta(this, f, ctx);
      case 'bare_meta':
        return onBareMeta(this, f, ctx);
      case 'state_marker':
        return;
      case 'turn_context':
        return onTurnContext(this, f, ctx);
      case 'settings':
        return onSettings(this, f, ctx);
      case 'task_started':
        return onTaskStarted(this, f, ctx);
      case 'task_complete':
        return onTaskComplete(this, f, ctx);
      case 'turn_ref':
        if (!f.itemThreadId || f.itemThreadId === ownId(this)) refTurn(this, f.turnId, ctx);
        return;
      case 'user_text':
        return onUserText(this, f, ctx);
      case 'assistant_text':
        return onAssistantText(this, f, ctx);
      case 'usage_record':
        return onUsageRecord(this, f, ctx);
      case 'token_count':
        return onTokenCount(this, f, ctx);
      case 'tool_call':
        return onToolCall(this, f, ctx);
      case 'tool_exec':
        return onToolExec(this, f, ctx);
      case 'tool_output':
        return onToolOutput(this, f, ctx);
      case 'tool_complete':
        return onToolComplete(this, f, ctx);
      case 'review':
        return onReview(this, f, ctx);
      case 'other':
        return onOther(this, f, ctx);
      default:
        simpleContent(this, f, ctx, { turnId: this.st.turn?.id });
    }
  }
}

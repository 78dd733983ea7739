// The stateful per-file rollout parser. Reads a rollout file (.jsonl or .jsonl.gz) as a stream of
// lines, applies each line's facts (normalize.ts) to the file's state, and emits normalized events
// (core/events.ts) plus content records for compliance, with per-file stats. Every model response
// is emitted exactly once (spec §3 pitfalls, §8): 0.169+ files count `token_usage_record`
// (deduplicated on response_id); older files count `token_count` (last_token_usage, else the change
// of total_token_usage; unchanged totals and all-zero deltas skipped). A checkpoint (byte offset +
// state) lets a later read of a growing file continue where this one stopped.
import { tokenProblem } from '../../core/bounds.js';
import { decodeJsonLine, type RawLine } from './decode.js';
import {
  capUsage,
  compareVersions,
  isZeroUsage,
  normalizeLine,
  normalizeOversized,
  parseTs,
  threadInfoFromMeta,
  usageDelta,
  usageEquals,
  type LineFact,
  type NormalizedLine,
} from './normalize.js';
import type {
  PendingRef,
  RolloutContent,
  RolloutContentBody,
  RolloutEvent,
  RolloutEventExtras,
  RolloutFormat,
  RolloutParserState,
  RolloutRecord,
  RolloutStats,
  RolloutThreadInfo,
  SkipReason,
  TokenSource,
  ToolState,
  TurnState,
  UsageTotals,
} from './types.js';

export type * from './types.js';
export { isRolloutFileName, threadIdFromFileName } from './decode.js';
export { collectRollout, findRolloutFiles, iterateRollout, parseRolloutFile, type ReadOptions } from './read.js';

/** In an old non-paginated fork, the copied parent history is one write burst; a pause this long ends it. */
export const INHERIT_GAP_MS = 250;
/** 0.169 introduced token_usage_record; from this version on, token_count events are never counted. */
export const RECORD_VERSION = '0.169.0';
export const DEFAULT_MAX_TOOL_OUTPUT_BYTES = 1024 * 1024;
const MAX_SKIP_RECORDS = 1000;
// Ids remembered for dedupe (response ids, turn ids, emitted tool calls): repeats come close together,
// and the pipeline's keys dedupe across files anyway. Bounds the checkpoint size.
const MAX_REMEMBERED = 8192;
const MAX_PENDING_TOOLS = 1000;
const MAX_REPLY_CHARS = 256 * 1024;

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
}

interface LineCtx {
  raw: RawLine;
  ts: number;
  ordinal?: number;
  truncated?: boolean;
}

type ContentExtra = Partial<Pick<RolloutContent, 'turnId' | 'inherited' | 'foreignThreadId'>>;

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
    trimmed: [],
    inheritedLines: 0,
  };
}

export class RolloutParser {
  readonly stats: RolloutStats;
  private out: RolloutRecord[] = [];
  private readonly withContent: boolean;
  private readonly toParent: boolean;

  private format?: RolloutFormat;
  private thread?: RolloutThreadInfo;
  private threadMetaSeen = false;
  private threadEmitted = false;
  private threadPending?: PendingRef;
  private model?: string;
  private approvalPolicy?: string;
  private sandboxPolicy?: string;
  private provider?: string;
  private turn?: TurnState;
  private turnsOpened = 0;
  private knownTurns = new Set<string>();
  private mirrorTurns = new Set<string>();
  private recordMode = false;
  private prevTotal?: UsageTotals;
  private seenResponses = new Set<string>();
  private tools = new Map<string, ToolState>();
  private emittedTools = new Set<string>();
  private lastTs?: number;
  private inherited?: { active: boolean; lastTs: number };
  private replyText?: string;

  constructor(private readonly opts: ParserOptions = {}) {
    this.withContent = opts.content !== false;
    this.toParent = opts.attributeSubagentsToParent !== false;
    this.stats = emptyStats(opts.path, opts.startOffset ?? 0);
    const s = opts.state;
    if (s) {
      this.format = s.format;
      this.thread = s.thread;
      this.threadMetaSeen = s.threadMetaSeen;
      this.threadEmitted = s.threadEmitted;
      this.threadPending = s.threadPending;
      this.model = s.model;
      this.approvalPolicy = s.approvalPolicy;
      this.sandboxPolicy = s.sandboxPolicy;
      this.provider = s.provider;
      this.turn = s.turn ? { ...s.turn } : undefined;
      this.turnsOpened = s.turnsOpened;
      this.knownTurns = new Set(s.knownTurns);
      this.mirrorTurns = new Set(s.mirrorTurns);
      this.recordMode = s.recordMode;
      this.prevTotal = s.prevTotal;
      this.seenResponses = new Set(s.seenResponses);
      this.tools = new Map(s.tools.map((t) => [t.callId, { ...t }]));
      this.emittedTools = new Set(s.emittedTools);
      this.lastTs = s.lastTs;
      this.inherited = s.inherited ? { ...s.inherited } : undefined;
      this.replyText = s.replyText;
    }
    this.stats.format = this.format;
    this.stats.threadId = this.thread?.threadId;
  }

  /** Serializable state for a checkpoint. */
  state(): RolloutParserState {
    return {
      v: 1,
      format: this.format,
      thread: this.thread,
      threadMetaSeen: this.threadMetaSeen,
      threadEmitted: this.threadEmitted,
      threadPending: this.threadPending,
      model: this.model,
      approvalPolicy: this.approvalPolicy,
      sandboxPolicy: this.sandboxPolicy,
      provider: this.provider,
      turn: this.turn ? { ...this.turn } : undefined,
      turnsOpened: this.turnsOpened,
      knownTurns: [...this.knownTurns],
      mirrorTurns: [...this.mirrorTurns],
      recordMode: this.recordMode,
      prevTotal: this.prevTotal,
      seenResponses: [...this.seenResponses],
      tools: [...this.tools.values()].map((t) => ({ ...t })),
      emittedTools: [...this.emittedTools],
      lastTs: this.lastTs,
      inherited: this.inherited ? { ...this.inherited } : undefined,
      replyText: this.replyText,
    };
  }

  /** Processes one complete line; returns the records it produced. Never throws on bad input. */
  line(raw: RawLine): RolloutRecord[] {
    this.stats.lines++;
    this.stats.endOffset = Math.max(this.stats.endOffset, raw.offset + raw.bytes + 1);
    let norm: NormalizedLine;
    if (raw.oversized) {
      norm = normalizeOversized(raw);
      const first = norm.facts.find((f) => f.f !== 'skip' && f.f !== 'turn_ref');
      this.stats.trimmed.push({ line: raw.lineNo, offset: raw.offset, bytes: raw.bytes, type: first?.f });
    } else {
      const text = raw.text ?? '';
      if (text.trim() === '') {
        this.stats.blankLines++;
        return this.drain();
      }
      const d = decodeJsonLine(text, raw.binary);
      if (!d.ok) {
        this.skip(raw, d.problem, d.detail);
        return this.drain();
      }
      if (d.recoveredFrom !== undefined) this.skip(raw, d.droppedPrefix ?? 'garbage', `junk before a record at column ${d.recoveredFrom}`, true);
      norm = normalizeLine(d.value);
    }
    this.apply(raw, norm);
    return this.drain();
  }

  /**
   * End of this read. With `final` (the file is complete), everything still pending is emitted: the
   * thread, a turn whose prompt or turn_context never came, tool calls without output. Without it
   * they stay in the state, so a file read while it is being written loses nothing: the next read
   * (from the checkpoint) emits them once their lines arrive. Turns close themselves during normal
   * reading (prompt + turn_context, task_complete, or the next turn), so only a turn cut off at the
   * end of a read is held back.
   */
  finish(opts: { final?: boolean } = {}): RolloutRecord[] {
    if (opts.final) {
      if (this.thread) this.flushThread();
      if (this.turn && !this.turn.emitted) this.emitTurn(this.turn);
      for (const t of [...this.tools.values()]) this.emitTool(t);
    }
    this.stats.format = this.format;
    this.stats.threadId = this.thread?.threadId;
    return this.drain();
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private drain(): RolloutRecord[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  private skip(raw: RawLine, reason: SkipReason, detail?: string, recovered?: boolean): void {
    this.stats.skippedCount++;
    this.stats.skippedByReason[reason] = (this.stats.skippedByReason[reason] ?? 0) + 1;
    if (this.stats.skipped.length < MAX_SKIP_RECORDS) this.stats.skipped.push({ line: raw.lineNo, offset: raw.offset, bytes: raw.bytes, reason, detail, ...(recovered ? { recovered } : {}) });
  }

  private remember(set: Set<string>, v: string): void {
    set.add(v);
    if (set.size > MAX_REMEMBERED) set.delete(set.values().next().value as string);
  }

  private get ownId(): string {
    return this.thread?.threadId ?? '';
  }

  /** Sub-agent and title threads roll up into their parent (spec §8 "Threads"). */
  private get attributedId(): string {
    const t = this.thread;
    if (t && this.toParent && t.kind !== 'user' && t.parentThreadId) return t.parentThreadId;
    return this.ownId;
  }

  private disc(ctx: LineCtx): string {
    return ctx.ordinal !== undefined ? `${this.ownId}:${ctx.ordinal}` : `${this.ownId}@${ctx.raw.offset}`;
  }

  private ref(ctx: LineCtx): PendingRef {
    return { ts: ctx.ts, line: ctx.raw.lineNo, offset: ctx.raw.offset, ordinal: ctx.ordinal, disc: this.disc(ctx) };
  }

  private extras(r: PendingRef): RolloutEventExtras {
    const attributed = this.attributedId;
    return {
      discriminator: r.disc,
      sourceThreadId: this.ownId,
      ...(attributed !== this.ownId ? { childThreadId: this.ownId } : {}),
      line: r.line,
      offset: r.offset,
      ...(r.ordinal !== undefined ? { ordinal: r.ordinal } : {}),
    };
  }

  private event(e: RolloutEvent): void {
    this.out.push({ type: 'event', event: e });
  }

  private content(ctx: LineCtx, body: RolloutContentBody, extra: ContentExtra = {}): void {
    if (!this.withContent) return;
    const c = {
      threadId: this.ownId,
      attributedThreadId: this.attributedId,
      ts: ctx.ts,
      line: ctx.raw.lineNo,
      offset: ctx.raw.offset,
      ...(ctx.ordinal !== undefined ? { ordinal: ctx.ordinal } : {}),
      discriminator: this.disc(ctx),
      ...(ctx.truncated ? { truncated: true } : {}),
      ...body,
      ...extra,
    } as RolloutContent;
    if (c.turnId === undefined) delete c.turnId;
    this.out.push({ type: 'content', content: c });
  }

  // ---- line application --------------------------------------------------------------------------

  private apply(raw: RawLine, norm: NormalizedLine): void {
    if (norm.format === 'bare') this.format ??= 'bare';
    else if (norm.ordinal !== undefined) this.format = 'v0169';
    else if (this.format !== 'v0169') this.format = 'envelope';
    if (!this.thread) this.thread = { threadId: this.opts.threadIdHint ?? '', kind: 'user' };
    const ts = norm.ts ?? this.lastTs ?? this.thread.startedAt ?? this.opts.fallbackTs ?? 0;
    if (norm.ts !== undefined) this.lastTs = norm.ts;
    const ctx: LineCtx = { raw, ts, ordinal: norm.ordinal, truncated: norm.truncated };
    if (!this.threadPending) this.threadPending = this.ref(ctx);

    let inherited = false;
    if (this.inherited?.active) {
      if (norm.ts !== undefined && norm.ts - this.inherited.lastTs > INHERIT_GAP_MS) this.inherited.active = false;
      else {
        if (norm.ts !== undefined) this.inherited.lastTs = norm.ts;
        inherited = true;
        this.stats.inheritedLines++;
      }
    }
    for (const f of norm.facts) {
      if (f.f === 'skip') this.skip(raw, f.reason, f.detail);
      else if (inherited) this.inheritedFact(f, ctx);
      else this.fact(f, ctx);
    }
  }

  private fact(f: LineFact, ctx: LineCtx): void {
    switch (f.f) {
      case 'session_meta':
        return this.onSessionMeta(f, ctx);
      case 'bare_meta':
        return this.onBareMeta(f, ctx);
      case 'state_marker':
        return;
      case 'turn_context':
        return this.onTurnContext(f, ctx);
      case 'settings':
        return this.onSettings(f, ctx);
      case 'task_started':
        return this.onTaskStarted(f, ctx);
      case 'task_complete':
        return this.onTaskComplete(f, ctx);
      case 'turn_ref':
        if (!f.itemThreadId || f.itemThreadId === this.ownId) this.refTurn(f.turnId, ctx);
        return;
      case 'user_text':
        return this.onUserText(f, ctx);
      case 'assistant_text': {
        const foreign = f.itemThreadId && f.itemThreadId !== this.ownId ? f.itemThreadId : undefined;
        // The model's reply is written before its usage record/token_count: keep it for ModelResponse.text.
        if (f.canonical && !foreign && f.text) this.replyText = (this.replyText ? `${this.replyText}\n` : '') + f.text.slice(0, MAX_REPLY_CHARS);
        this.content(ctx, { kind: 'assistant_message', text: f.text, canonical: f.canonical && !foreign, origin: f.origin, itemId: f.itemId, phase: f.phase }, { turnId: f.turnId ?? this.turn?.id, foreignThreadId: foreign });
        return;
      }
      case 'usage_record':
        return this.onUsageRecord(f, ctx);
      case 'token_count':
        return this.onTokenCount(f, ctx);
      case 'tool_call':
        return this.onToolCall(f, ctx);
      case 'tool_exec':
        return this.onToolExec(f, ctx);
      case 'tool_output':
        return this.onToolOutput(f, ctx);
      case 'tool_complete':
        return this.onToolComplete(f, ctx);
      case 'review': {
        const foreign = f.itemThreadId && f.itemThreadId !== this.ownId ? f.itemThreadId : undefined;
        this.content(ctx, { kind: 'review', phase: f.phase, raw: f.raw }, { turnId: f.turnId ?? this.turn?.id, foreignThreadId: foreign });
        return;
      }
      case 'other': {
        const foreign = f.itemThreadId && f.itemThreadId !== this.ownId ? f.itemThreadId : undefined;
        this.content(ctx, { kind: 'other', type: f.type, subtype: f.subtype, raw: f.raw, head: f.head }, { turnId: this.turn?.id, foreignThreadId: foreign });
        return;
      }
      default:
        this.simpleContent(f, ctx, { turnId: this.turn?.id });
    }
  }

  /** Content records for facts that need no state. */
  private simpleContent(f: LineFact, ctx: LineCtx, extra: ContentExtra): void {
    switch (f.f) {
      case 'developer_text':
        return this.content(ctx, { kind: 'developer_message', role: f.role, text: f.text, itemId: f.itemId }, extra);
      case 'reasoning':
        return this.content(ctx, { kind: 'reasoning', summary: f.summary, text: f.text, encryptedContent: f.encrypted }, extra);
      case 'compaction':
        return this.content(ctx, { kind: 'compaction', message: f.message, replacementHistoryItems: f.replacementHistoryItems, compactionResponseId: f.compactionResponseId }, extra);
      case 'rate_limits':
        return this.content(ctx, { kind: 'rate_limits', raw: f.raw }, extra);
      default:
    }
  }

  /** A line of copied parent history (old non-paginated fork): content only; token totals set the baseline. */
  private inheritedFact(f: LineFact, ctx: LineCtx): void {
    const extra: ContentExtra = { inherited: true };
    switch (f.f) {
      case 'token_count':
        if (f.info?.total) this.prevTotal = f.info.total;
        this.stats.ignoredTokenCounts.inherited++;
        return;
      case 'usage_record':
        if (f.responseId) this.remember(this.seenResponses, f.responseId);
        this.stats.ignoredTokenCounts.inherited++;
        return;
      case 'turn_context':
        if (f.model) this.model = f.model;
        return this.content(ctx, { kind: 'turn_context', model: f.model, cwd: f.cwd, approvalPolicy: f.approvalPolicy, sandboxPolicy: f.sandboxPolicy, effort: f.effort, summary: f.summary, raw: f.raw }, { ...extra, turnId: f.turnId });
      case 'session_meta':
        return this.onSessionMeta(f, ctx);
      case 'user_text':
        return this.content(ctx, { kind: 'user_message', text: f.text, canonical: false, injected: f.injected, origin: f.origin, itemId: f.itemId, images: f.images }, { ...extra, turnId: f.turnId });
      case 'assistant_text':
        return this.content(ctx, { kind: 'assistant_message', text: f.text, canonical: false, origin: f.origin, itemId: f.itemId, phase: f.phase }, { ...extra, turnId: f.turnId });
      case 'tool_call':
      case 'tool_output':
      case 'tool_complete':
      case 'tool_exec':
        if (!f.callId) return;
        return this.content(
          ctx,
          {
            kind: 'tool_call',
            callId: f.callId,
            toolKind: 'toolKind' in f ? f.toolKind : 'exec',
            toolName: 'toolName' in f ? f.toolName : undefined,
            arguments: 'arguments' in f ? f.arguments : undefined,
            output: 'output' in f ? f.output : undefined,
          },
          { ...extra, turnId: f.turnId },
        );
      case 'other':
        return this.content(ctx, { kind: 'other', type: f.type, subtype: f.subtype, raw: f.raw, head: f.head }, extra);
      case 'review':
        return this.content(ctx, { kind: 'review', phase: f.phase, raw: f.raw }, extra);
      default:
        this.simpleContent(f, ctx, extra);
    }
  }

  // ---- threads -----------------------------------------------------------------------------------

  private onSessionMeta(f: Extract<LineFact, { f: 'session_meta' }>, ctx: LineCtx): void {
    const info = threadInfoFromMeta(f.meta);
    if (!this.threadMetaSeen) {
      this.thread = { ...info, threadId: info.threadId || this.ownId };
      this.threadMetaSeen = true;
      this.threadPending = this.ref(ctx);
      if (info.cliVersion && compareVersions(info.cliVersion, RECORD_VERSION) >= 0) this.recordMode = true;
      if (f.meta.model) this.model ??= f.meta.model;
      this.content(ctx, { kind: 'session', thread: this.thread, raw: f.raw });
    } else if (info.threadId === this.ownId) {
      this.content(ctx, { kind: 'session', thread: info, raw: f.raw, duplicate: true });
    } else {
      // Another thread's session_meta in this file: an old, non-paginated fork copied its parent's
      // lines (token events included) right after its own session_meta (spec §3 pitfall 6).
      if (!this.inherited?.active) this.stats.inheritedLines++;
      this.inherited = { active: true, lastTs: ctx.ts };
      this.content(ctx, { kind: 'session', thread: info, raw: f.raw }, { inherited: true, foreignThreadId: info.threadId });
    }
  }

  private onBareMeta(f: Extract<LineFact, { f: 'bare_meta' }>, ctx: LineCtx): void {
    const g = f.git as Record<string, unknown> | undefined;
    const s = (x: unknown) => (typeof x === 'string' ? x : undefined);
    const info: RolloutThreadInfo = {
      threadId: f.id,
      kind: 'user',
      startedAt: parseTs(f.timestamp),
      git: g && typeof g === 'object' ? { commitHash: s(g.commit_hash), branch: s(g.branch), repositoryUrl: s(g.repository_url) } : undefined,
    };
    if (!this.threadMetaSeen) {
      this.thread = info;
      this.threadMetaSeen = true;
      this.threadPending = this.ref(ctx);
    }
    this.content(ctx, { kind: 'session', thread: info, raw: f.raw }, info.threadId !== this.ownId ? { foreignThreadId: info.threadId } : {});
  }

  private flushThread(): void {
    if (this.threadEmitted || !this.thread) return;
    this.threadEmitted = true;
    const t = this.thread;
    const p = this.threadPending ?? { ts: t.startedAt ?? this.lastTs ?? 0, line: 0, offset: 0, disc: `${t.threadId}@0` };
    this.event({
      kind: 'thread_started',
      key: '',
      discriminator: p.disc,
      threadId: t.threadId,
      ts: t.startedAt ?? p.ts,
      originator: t.originator,
      model: this.model,
      threadKind: t.kind,
      parentThreadId: t.parentThreadId,
      approvalPolicy: this.approvalPolicy,
      sandboxPolicy: this.sandboxPolicy,
      provider: this.provider ?? t.provider,
      sourceThreadId: t.threadId,
      line: p.line,
      offset: p.offset,
      ...(p.ordinal !== undefined ? { ordinal: p.ordinal } : {}),
      thread: t,
    });
  }

  private onTurnContext(f: Extract<LineFact, { f: 'turn_context' }>, ctx: LineCtx): void {
    if (f.model) this.model = f.model;
    if (f.approvalPolicy) this.approvalPolicy = f.approvalPolicy;
    if (f.sandboxPolicy) this.sandboxPolicy = f.sandboxPolicy;
    const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn && !this.turn.ended ? this.turn : undefined;
    if (t && f.model) t.model = f.model;
    if (t) t.contextSeen = true;
    this.content(ctx, { kind: 'turn_context', model: f.model, cwd: f.cwd, approvalPolicy: f.approvalPolicy, sandboxPolicy: f.sandboxPolicy, effort: f.effort, summary: f.summary, raw: f.raw }, { turnId: f.turnId ?? t?.id });
    this.flushThread();
    if (t) this.maybeEmitTurn(t);
  }

  private onSettings(f: Extract<LineFact, { f: 'settings' }>, ctx: LineCtx): void {
    const foreign = f.threadId && f.threadId !== this.ownId ? f.threadId : undefined;
    this.content(ctx, { kind: 'settings', model: f.model, provider: f.provider, approvalPolicy: f.approvalPolicy, sandboxPolicy: f.sandboxPolicy, cwd: f.cwd, raw: f.raw }, { turnId: this.turn?.id, foreignThreadId: foreign });
    if (foreign) return;
    if (f.model) this.model = f.model;
    if (f.approvalPolicy) this.approvalPolicy = f.approvalPolicy;
    if (f.sandboxPolicy) this.sandboxPolicy = f.sandboxPolicy;
    if (f.provider) this.provider = f.provider;
    this.flushThread();
  }

  // ---- turns -------------------------------------------------------------------------------------

  private openTurn(ctx: LineCtx, by: TurnState['openedBy'], o: Partial<Pick<TurnState, 'id' | 'rootTurnId' | 'parentTurnId' | 'trigger'>>): TurnState {
    if (this.turn && !this.turn.emitted) this.emitTurn(this.turn);
    const t: TurnState = { ...this.ref(ctx), ...o, index: ++this.turnsOpened, openedBy: by, emitted: false, ended: false };
    this.replyText = undefined;
    if (o.id) this.remember(this.knownTurns, o.id);
    this.turn = t;
    return t;
  }

  /** The turn a line of this thread names; a turn id not seen before opens a turn. */
  private refTurn(id: string | undefined, ctx: LineCtx): TurnState | undefined {
    if (!id) return this.turn;
    if (this.turn?.id === id) return this.turn;
    if (this.mirrorTurns.has(id)) this.mirrorTurns.delete(id); // own-thread evidence: a real turn after all
    else if (this.knownTurns.has(id)) return undefined; // an earlier turn, already counted
    return this.openTurn(ctx, 'reference', { id });
  }

  /**
   * Emit once the prompt and this turn's own turn_context (its model) are known — 0.169 writes the
   * turn_context first, older builds the prompt first; the bare format has no turn_context. A turn
   * that never gets there is emitted when it ends, when the next one opens, or at the end of the read.
   */
  private maybeEmitTurn(t: TurnState): void {
    if (!t.emitted && t.prompt !== undefined && (t.contextSeen || this.format === 'bare')) this.emitTurn(t);
  }

  private emitTurn(t: TurnState): void {
    if (t.emitted) return;
    t.emitted = true;
    this.flushThread();
    const prompt = t.prompt ?? t.fallbackPrompt;
    this.stats.turns++;
    this.event({
      kind: 'turn',
      key: '',
      threadId: this.attributedId,
      ts: t.ts,
      originator: this.thread?.originator,
      model: t.model ?? this.model,
      turnId: t.id,
      prompt,
      promptLength: prompt?.length,
      threadKind: this.thread?.kind ?? 'user',
      ...this.extras(t),
      turnIndex: t.index,
      ...(t.rootTurnId ? { rootTurnId: t.rootTurnId } : {}),
      ...(t.parentTurnId ? { parentTurnId: t.parentTurnId } : {}),
      ...(t.trigger ? { trigger: t.trigger } : {}),
    });
  }

  private onTaskStarted(f: Extract<LineFact, { f: 'task_started' }>, ctx: LineCtx): void {
    // A parent thread mirrors the task_started of a sub-agent's turn (turn_attribution.parent_turn_id
    // = the parent's turn); that turn belongs to the child's rollout.
    const mirror = this.thread?.kind === 'user' && f.parentTurnId !== undefined && f.parentTurnId !== f.turnId;
    this.content(ctx, { kind: 'turn_started', parentTurnId: f.parentTurnId, rootTurnId: f.rootTurnId, trigger: f.trigger, subagentMirror: mirror, raw: f.raw }, { turnId: f.turnId });
    if (mirror) {
      if (f.turnId && !this.knownTurns.has(f.turnId)) this.remember(this.mirrorTurns, f.turnId);
      return;
    }
    const fields = { rootTurnId: f.rootTurnId, parentTurnId: f.parentTurnId, trigger: f.trigger };
    if (f.turnId && this.turn?.id === f.turnId) {
      Object.assign(this.turn, fields);
      return;
    }
    if (f.turnId && this.knownTurns.has(f.turnId)) return;
    this.openTurn(ctx, 'task_started', { id: f.turnId, ...fields });
  }

  private onTaskComplete(f: Extract<LineFact, { f: 'task_complete' }>, ctx: LineCtx): void {
    this.content(ctx, { kind: 'turn_complete', aborted: f.aborted, durationMs: f.durationMs, lastAgentMessage: f.lastAgentMessage, raw: f.raw }, { turnId: f.turnId ?? this.turn?.id });
    if (f.turnId && this.mirrorTurns.has(f.turnId)) return;
    const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
    if (!t || t.ended) return;
    if (!t.emitted) this.emitTurn(t);
    t.ended = true;
    for (const tool of [...this.tools.values()]) if (tool.turnId === t.id) this.emitTool(tool);
  }

  private onUserText(f: Extract<LineFact, { f: 'user_text' }>, ctx: LineCtx): void {
    const foreign = f.itemThreadId && f.itemThreadId !== this.ownId ? f.itemThreadId : undefined;
    this.content(
      ctx,
      { kind: 'user_message', text: f.text, canonical: f.canonical && !foreign, injected: f.injected, origin: f.origin, itemId: f.itemId, images: f.images },
      { turnId: f.turnId ?? (foreign ? undefined : this.turn?.id), foreignThreadId: foreign },
    );
    if (foreign || f.injected) return;
    if (!f.canonical) {
      // The model-visible copy of a prompt whose canonical record is an event: a fallback only.
      const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
      if (t && !t.ended && t.fallbackPrompt === undefined) t.fallbackPrompt = f.text;
      return;
    }
    let t: TurnState | undefined;
    if (f.turnId) t = this.refTurn(f.turnId, ctx);
    else {
      // No turn ids (2025-09..0.16x envelope, bare format): each typed prompt is a turn, unless a
      // task_started already opened the turn it belongs to.
      const cur = this.turn;
      t = cur && !cur.ended && cur.prompt === undefined && cur.openedBy !== 'user_message' ? cur : this.openTurn(ctx, 'user_message', {});
    }
    if (!t) return;
    if (t.prompt === undefined) t.prompt = f.text;
    this.maybeEmitTurn(t);
  }

  // ---- tokens ------------------------------------------------------------------------------------

  private onUsageRecord(f: Extract<LineFact, { f: 'usage_record' }>, ctx: LineCtx): void {
    if (f.threadId && this.ownId && f.threadId !== this.ownId) {
      this.stats.ignoredTokenCounts.foreign++;
      this.content(ctx, { kind: 'other', type: 'token_usage_record', raw: f }, { foreignThreadId: f.threadId });
      return;
    }
    this.recordMode = true;
    if (this.format !== 'bare') this.format = 'v0169';
    if (f.responseId) {
      if (this.seenResponses.has(f.responseId)) {
        this.stats.duplicateResponses++;
        return;
      }
      this.remember(this.seenResponses, f.responseId);
    }
    const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
    this.emitResponse(ctx, f.usage, 'token_usage_record', { responseId: f.responseId, turnId: f.turnId ?? t?.id, rootTurnId: f.rootTurnId, turn: t });
  }

  private onTokenCount(f: Extract<LineFact, { f: 'token_count' }>, ctx: LineCtx): void {
    if (!f.info) {
      this.stats.ignoredTokenCounts.infoNull++;
      return;
    }
    const model = f.info.model ?? f.model;
    if (model) this.model = model;
    const { last, total } = f.info;
    if (this.recordMode) {
      if (total) this.prevTotal = total;
      this.stats.ignoredTokenCounts.superseded++;
      return;
    }
    // Repeated after compaction/resume with the previous totals (spec §3 pitfall 2).
    if (total && this.prevTotal && usageEquals(total, this.prevTotal)) {
      this.stats.ignoredTokenCounts.repeated++;
      return;
    }
    let usage = last;
    let source: TokenSource = 'last_token_usage';
    if (!usage && total) {
      if (!this.prevTotal && this.thread?.forkedFromId) {
        // A fork's running total starts from its parent's (pitfall 6): no baseline, no delta.
        this.prevTotal = total;
        this.stats.ignoredTokenCounts.noUsage++;
        return;
      }
      usage = usageDelta(total, this.prevTotal);
      source = 'total_delta';
    }
    if (total) this.prevTotal = total;
    if (!usage) {
      this.stats.ignoredTokenCounts.noUsage++;
      return;
    }
    // The post-compaction context estimate: zero counts, total_tokens = context size (pitfall 3).
    if (isZeroUsage(usage)) {
      this.stats.ignoredTokenCounts.zero++;
      return;
    }
    const t = this.turn;
    this.emitResponse(ctx, usage, source, { turnId: t?.id, rootTurnId: t?.rootTurnId, turn: t });
  }

  private emitResponse(ctx: LineCtx, usage: UsageTotals, source: TokenSource, o: { responseId?: string; turnId?: string; rootTurnId?: string; turn?: TurnState }): void {
    // The turn itself is emitted once its prompt is known (a pre-sampling compaction call can
    // come before the prompt is written), so a response may precede its TurnStarted.
    const u = capUsage(usage);
    // A delta of running totals can be implausible even when each total is a valid integer.
    for (const [k, n] of Object.entries({ input: u.input, cached: u.cached, output: u.output, reasoning: u.reasoning })) {
      const p = tokenProblem(`${source} ${k}`, n);
      if (p) return this.skip(ctx.raw, 'implausible_value', p);
    }
    this.flushThread();
    const text = this.replyText;
    this.replyText = undefined;
    const model = (o.turn && o.turn.id === o.turnId ? o.turn.model : undefined) ?? this.model;
    const s = this.stats;
    s.responses++;
    s.tokens.input += u.input;
    s.tokens.cached += u.cached;
    s.tokens.output += u.output;
    s.tokens.reasoning += u.reasoning;
    s.tokens.cacheWrite += u.cacheWrite;
    s.tokens.total += u.total;
    if (!model) s.fallbackModelResponses++;
    this.event({
      kind: 'response',
      key: '',
      threadId: this.attributedId,
      ts: ctx.ts,
      originator: this.thread?.originator,
      model,
      ...(o.responseId ? { responseId: o.responseId } : {}),
      ...(o.turnId ? { turnId: o.turnId } : {}),
      tokens: { input: u.input, cached: u.cached, output: u.output, reasoning: u.reasoning },
      cacheWrite: u.cacheWrite,
      ...(text !== undefined ? { text } : {}),
      tokenSource: source,
      totalTokens: u.total,
      ...(o.rootTurnId ? { rootTurnId: o.rootTurnId } : {}),
      // Unknown model: left unset so pricing applies its fallback model and flags it (as ccusage does).
      ...(model ? {} : { isFallbackModel: true }),
      ...this.extras(this.ref(ctx)),
    });
  }

  // ---- tools -------------------------------------------------------------------------------------

  private pendTool(tool: ToolState): void {
    this.tools.set(tool.callId, tool);
    if (this.tools.size > MAX_PENDING_TOOLS) {
      const oldest = this.tools.values().next().value as ToolState;
      this.emitTool(oldest);
    }
  }

  private onToolCall(f: Extract<LineFact, { f: 'tool_call' }>, ctx: LineCtx): void {
    const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
    const callId = f.callId ?? this.disc(ctx);
    const prev = this.tools.get(callId);
    this.pendTool({
      ...prev,
      ...this.ref(ctx),
      callId,
      toolName: f.toolName,
      toolKind: f.toolKind,
      turnId: f.turnId ?? t?.id,
      arguments: f.arguments,
      ...(f.argumentsTruncated ? { argumentsTruncated: true } : {}),
      status: f.status ?? prev?.status,
    });
  }

  private onToolExec(f: Extract<LineFact, { f: 'tool_exec' }>, ctx: LineCtx): void {
    const foreign = f.itemThreadId && f.itemThreadId !== this.ownId ? f.itemThreadId : undefined;
    let tool = this.tools.get(f.callId);
    if (foreign || (!tool && this.emittedTools.has(f.callId))) {
      // Another thread's command, or details arriving after the call was already emitted.
      this.content(
        ctx,
        { kind: 'tool_call', callId: f.callId, toolKind: 'exec', exitCode: f.exitCode, success: f.success, durationMs: f.durationMs, command: f.command, cwd: f.cwd, status: f.status, aggregatedOutput: f.aggregatedOutput },
        { turnId: f.turnId, foreignThreadId: foreign },
      );
      return;
    }
    if (!tool) {
      const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
      tool = { ...this.ref(ctx), callId: f.callId, toolKind: 'exec', turnId: f.turnId ?? t?.id };
      this.pendTool(tool);
    }
    if (f.exitCode !== undefined) tool.exitCode = f.exitCode;
    if (f.durationMs !== undefined) {
      tool.durationMs = f.durationMs;
      tool.durationSource = 'exec';
    }
    if (f.success !== undefined) tool.success = f.success;
    if (f.command !== undefined) tool.command = f.command;
    if (f.cwd !== undefined) tool.cwd = f.cwd;
    if (f.aggregatedOutput !== undefined) tool.aggregatedOutput = f.aggregatedOutput;
    if (f.status !== undefined) tool.status = f.status;
  }

  private onToolOutput(f: Extract<LineFact, { f: 'tool_output' }>, ctx: LineCtx): void {
    const callId = f.callId ?? this.disc(ctx);
    let tool = this.tools.get(callId);
    if (!tool) {
      const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
      tool = { ...this.ref(ctx), callId, toolKind: 'function', turnId: f.turnId ?? t?.id };
    }
    tool.output = f.output;
    if (f.outputTruncated) tool.outputTruncated = true;
    tool.outputTs = ctx.ts;
    if (tool.exitCode === undefined && f.exitCode !== undefined) tool.exitCode = f.exitCode;
    if (tool.durationMs === undefined && f.durationMs !== undefined) {
      tool.durationMs = f.durationMs;
      tool.durationSource = 'output';
    }
    if (tool.success === undefined && f.success !== undefined) tool.success = f.success;
    this.emitTool(tool);
  }

  private onToolComplete(f: Extract<LineFact, { f: 'tool_complete' }>, ctx: LineCtx): void {
    const callId = f.callId ?? this.disc(ctx);
    const t = f.turnId ? this.refTurn(f.turnId, ctx) : this.turn;
    const prev = this.tools.get(callId);
    const tool: ToolState = prev ?? { ...this.ref(ctx), callId, toolKind: f.toolKind, turnId: f.turnId ?? t?.id };
    tool.toolName ??= f.toolName;
    tool.arguments ??= f.arguments;
    if (f.output !== undefined) {
      tool.output = f.output;
      tool.outputTs = ctx.ts;
    }
    if (f.success !== undefined) tool.success = f.success;
    if (f.status !== undefined) tool.status = f.status;
    if (f.durationMs !== undefined && tool.durationMs === undefined) {
      tool.durationMs = f.durationMs;
      tool.durationSource = 'exec';
    }
    this.emitTool(tool);
  }

  private emitTool(tool: ToolState): void {
    this.tools.delete(tool.callId);
    this.remember(this.emittedTools, tool.callId);
    this.flushThread();
    const success = tool.success ?? (tool.exitCode !== undefined ? tool.exitCode === 0 : undefined);
    let durationMs = tool.durationMs;
    let durationSource: 'exec' | 'output' | 'timestamps' | undefined = tool.durationSource;
    if (durationMs === undefined && tool.outputTs !== undefined && tool.outputTs >= tool.ts) {
      durationMs = tool.outputTs - tool.ts;
      durationSource = 'timestamps';
    }
    this.stats.toolCalls++;
    this.event({
      kind: 'tool',
      key: '',
      threadId: this.attributedId,
      ts: tool.ts,
      originator: this.thread?.originator,
      model: this.model,
      callId: tool.callId,
      toolName: tool.toolName,
      success,
      durationMs,
      arguments: tool.arguments,
      output: tool.output,
      ...(tool.turnId ? { turnId: tool.turnId } : {}),
      toolKind: tool.toolKind,
      ...(tool.exitCode !== undefined ? { exitCode: tool.exitCode } : {}),
      ...(durationSource ? { durationSource } : {}),
      ...(tool.argumentsTruncated ? { argumentsTruncated: true } : {}),
      ...(tool.outputTruncated ? { outputTruncated: true } : {}),
      ...this.extras(tool),
    });
    if (!this.withContent) return;
    const ctx: LineCtx = { raw: { lineNo: tool.line, offset: tool.offset, bytes: 0, oversized: false, binary: false }, ts: tool.ts, ordinal: tool.ordinal };
    this.content(
      ctx,
      {
        kind: 'tool_call',
        callId: tool.callId,
        toolName: tool.toolName,
        toolKind: tool.toolKind,
        arguments: tool.arguments,
        output: tool.output,
        exitCode: tool.exitCode,
        success,
        durationMs,
        command: tool.command,
        cwd: tool.cwd,
        status: tool.status,
        aggregatedOutput: tool.aggregatedOutput,
        ...(tool.argumentsTruncated ? { argumentsTruncated: true } : {}),
        ...(tool.outputTruncated ? { outputTruncated: true } : {}),
      },
      { turnId: tool.turnId },
    );
  }
}

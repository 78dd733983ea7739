// Token facts -> ModelResponse, each exactly once (spec §3 pitfalls, §8): 0.169+ files count
// token_usage_record (deduplicated on response_id); older files count token_count (last_token_usage,
// else the change of total_token_usage; unchanged totals and all-zero deltas skipped).
import { tokenProblem } from '../../../core/bounds.js';
import { capUsage, isZeroUsage, usageDelta, usageEquals, type LineFact } from '../normalize.js';
import type { RolloutModelResponse, TokenSource, UsageTotals } from '../types.js';
import { MAX_REPLY_CHARS, type TurnState } from './state.js';
import {
  type LineCtx,
  type Parse,
  addExtras,
  attributedId,
  content,
  event,
  ownId,
  ref,
  remember,
  skip,
} from './context.js';
import { flushThread } from './threads.js';
import { refTurn } from './turns.js';

/** The model's reply is written before its usage record/token_count: kept for ModelResponse.text. */
export function onAssistantText(p: Parse, f: Extract<LineFact, { f: 'assistant_text' }>, ctx: LineCtx): void {
  const foreign = f.itemThreadId && f.itemThreadId !== ownId(p) ? f.itemThreadId : undefined;
  if (f.canonical && !foreign && f.text)
    p.st.replyText = (p.st.replyText ? `${p.st.replyText}\n` : '') + f.text.slice(0, MAX_REPLY_CHARS);
  if (p.withContent)
    content(
      p,
      ctx,
      {
        kind: 'assistant_message',
        text: f.text,
        canonical: f.canonical && !foreign,
        origin: f.origin,
        itemId: f.itemId,
        phase: f.phase,
      },
      { turnId: f.turnId ?? p.st.turn?.id, foreignThreadId: foreign },
    );
}

export function onUsageRecord(p: Parse, f: Extract<LineFact, { f: 'usage_record' }>, ctx: LineCtx): void {
  if (f.threadId && ownId(p) && f.threadId !== ownId(p)) {
    p.stats.ignoredTokenCounts.foreign++;
    content(p, ctx, { kind: 'other', type: 'token_usage_record', raw: f }, { foreignThreadId: f.threadId });
    return;
  }
  p.st.recordMode = true;
  if (p.st.format !== 'bare') p.st.format = 'v0169';
  if (f.responseId) {
    if (p.st.seenResponses.has(f.responseId)) {
      p.stats.duplicateResponses++;
      return;
    }
    remember(p.st.seenResponses, f.responseId);
  }
  const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
  emitResponse(p, ctx, f.usage, 'token_usage_record', {
    responseId: f.responseId,
    turnId: f.turnId ?? t?.id,
    rootTurnId: f.rootTurnId,
    turn: t,
  });
}

export function onTokenCount(p: Parse, f: Extract<LineFact, { f: 'token_count' }>, ctx: LineCtx): void {
  if (!f.info) {
    p.stats.ignoredTokenCounts.infoNull++;
    return;
  }
  const model = f.info.model ?? f.model;
  if (model) p.st.model = model;
  const { last, total } = f.info;
  if (p.st.recordMode) {
    if (total) p.st.prevTotal = total;
    p.stats.ignoredTokenCounts.superseded++;
    return;
  }
  // Repeated after compaction/resume with the previous totals (spec §3 pitfall 2).
  if (total && p.st.prevTotal && usageEquals(total, p.st.prevTotal)) {
    p.stats.ignoredTokenCounts.repeated++;
    return;
  }
  let usage = last;
  let source: TokenSource = 'last_token_usage';
  if (!usage && total) {
    if (!p.st.prevTotal && p.st.thread?.forkedFromId) {
      // A fork's running total starts from its parent's (pitfall 6): no baseline, no delta.
      p.st.prevTotal = total;
      p.stats.ignoredTokenCounts.noUsage++;
      return;
    }
    usage = usageDelta(total, p.st.prevTotal);
    source = 'total_delta';
  }
  if (total) p.st.prevTotal = total;
  if (!usage) {
    p.stats.ignoredTokenCounts.noUsage++;
    return;
  }
  // The post-compaction context estimate: zero counts, total_tokens = context size (pitfall 3).
  if (isZeroUsage(usage)) {
    p.stats.ignoredTokenCounts.zero++;
    return;
  }
  const t = p.st.turn;
  emitResponse(p, ctx, usage, source, { turnId: t?.id, rootTurnId: t?.rootTurnId, turn: t });
}

export function emitResponse(
  p: Parse,
  ctx: LineCtx,
  usage: UsageTotals,
  source: TokenSource,
  o: { responseId?: string; turnId?: string; rootTurnId?: string; turn?: TurnState },
): void {
  // The turn itself is emitted once its prompt is known (a pre-sampling compaction call can
  // come before the prompt is written), so a response may precede its TurnStarted.
  const u = capUsage(usage);
  // A delta of running totals can be implausible even when each total is a valid integer.
  // cacheWrite too: the fuzzer found a cache_write_input_tokens of 2^31 stored as it was.
  const counts = {
    input: u.input,
    cached: u.cached,
    output: u.output,
    reasoning: u.reasoning,
    cacheWrite: u.cacheWrite,
  };
  for (const [k, n] of Object.entries(counts)) {
    const problem = tokenProblem(`${source} ${k}`, n);
    if (problem) return skip(p, ctx.raw, 'implausible_value', problem);
  }
  flushThread(p);
  const text = p.st.replyText;
  p.st.replyText = undefined;
  const model = (o.turn && o.turn.id === o.turnId ? o.turn.model : undefined) ?? p.st.model;
  const s = p.stats;
  s.responses++;
  s.tokens.input += u.input;
  s.tokens.cached += u.cached;
  s.tokens.output += u.output;
  s.tokens.reasoning += u.reasoning;
  s.tokens.cacheWrite += u.cacheWrite;
  s.tokens.total += u.total;
  if (!model) s.fallbackModelResponses++;
  // Keys in the order the spreads this replaces gave them (decision 0060).
  const e = {
    kind: 'response',
    key: '',
    threadId: attributedId(p),
    ts: ctx.ts,
    originator: p.st.thread?.originator,
    model,
  } as RolloutModelResponse;
  if (o.responseId) e.responseId = o.responseId;
  if (o.turnId) e.turnId = o.turnId;
  e.tokens = { input: u.input, cached: u.cached, output: u.output, reasoning: u.reasoning };
  e.cacheWrite = u.cacheWrite;
  if (text !== undefined) e.text = text;
  e.tokenSource = source;
  e.totalTokens = u.total;
  if (o.rootTurnId) e.rootTurnId = o.rootTurnId;
  // Unknown model: left unset so pricing applies its fallback model and flags it (as ccusage does).
  if (!model) e.isFallbackModel = true;
  addExtras(p, ref(p, ctx), e);
  event(p, e);
}

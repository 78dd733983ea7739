// Content records that need no state, and the lines of copied parent history (an old, non-paginated
// fork), which yield content only: their token totals set the baseline and count nothing.
import { type LineFact } from '../normalize.js';
import {
  type ContentExtra,
  type LineCtx,
  type Parse,
  attributedId,
  content,
  event,
  extras,
  ownId,
  ref,
  remember,
} from './context.js';
import { onSessionMeta } from './threads.js';

export function onReview(p: Parse, f: Extract<LineFact, { f: 'review' }>, ctx: LineCtx): void {
  const foreign = f.itemThreadId && f.itemThreadId !== ownId(p) ? f.itemThreadId : undefined;
  content(
    p,
    ctx,
    { kind: 'review', phase: f.phase, raw: f.raw },
    { turnId: f.turnId ?? p.st.turn?.id, foreignThreadId: foreign },
  );
}

/** A line no other fact covers (an unknown type, a record Steward does not count): kept for compliance. */
export function onOther(p: Parse, f: Extract<LineFact, { f: 'other' }>, ctx: LineCtx): void {
  const foreign = f.itemThreadId && f.itemThreadId !== ownId(p) ? f.itemThreadId : undefined;
  content(
    p,
    ctx,
    {
      kind: 'other',
      type: f.type,
      subtype: f.subtype,
      raw: f.raw,
      head: f.head,
      ...(f.unknown ? { unknown: f.unknown } : {}),
    },
    { turnId: p.st.turn?.id, foreignThreadId: foreign },
  );
  // A risk score is a security record of its own (decisions/0024); the payload is kept as it came.
  if (f.type === 'security_risk_score' && !foreign && ownId(p)) {
    const attributes =
      f.raw && typeof f.raw === 'object' && !Array.isArray(f.raw)
        ? (f.raw as Record<string, unknown>)
        : { value: f.raw };
    event(p, {
      key: '',
      kind: 'observation',
      name: 'security_risk_score',
      category: 'risk_score',
      threadId: attributedId(p),
      ts: ctx.ts,
      model: p.st.model,
      turnId: p.st.turn?.id,
      attributes,
      ...extras(p, ref(p, ctx)),
    });
  }
}

/** Content records for facts that need no state. */
export function simpleContent(p: Parse, f: LineFact, ctx: LineCtx, extra: ContentExtra): void {
  switch (f.f) {
    case 'developer_text':
      return content(p, ctx, { kind: 'developer_message', role: f.role, text: f.text, itemId: f.itemId }, extra);
    case 'reasoning':
      return content(
        p,
        ctx,
        { kind: 'reasoning', summary: f.summary, text: f.text, encryptedContent: f.encrypted },
        extra,
      );
    case 'compaction':
      return content(
        p,
        ctx,
        {
          kind: 'compaction',
          message: f.message,
          replacementHistoryItems: f.replacementHistoryItems,
          compactionResponseId: f.compactionResponseId,
        },
        extra,
      );
    case 'rate_limits':
      return content(p, ctx, { kind: 'rate_limits', raw: f.raw }, extra);
    default:
  }
}

/** A line of copied parent history (old non-paginated fork): content only; token totals set the baseline. */
export function inheritedFact(p: Parse, f: LineFact, ctx: LineCtx): void {
  const extra: ContentExtra = { inherited: true };
  switch (f.f) {
    case 'token_count':
      if (f.info?.total) p.st.prevTotal = f.info.total;
      p.stats.ignoredTokenCounts.inherited++;
      return;
    case 'usage_record':
      if (f.responseId) remember(p.st.seenResponses, f.responseId);
      p.stats.ignoredTokenCounts.inherited++;
      return;
    case 'turn_context':
      if (f.model) p.st.model = f.model;
      return content(
        p,
        ctx,
        {
          kind: 'turn_context',
          model: f.model,
          cwd: f.cwd,
          approvalPolicy: f.approvalPolicy,
          sandboxPolicy: f.sandboxPolicy,
          effort: f.effort,
          summary: f.summary,
          raw: f.raw,
        },
        { ...extra, turnId: f.turnId },
      );
    case 'session_meta':
      return onSessionMeta(p, f, ctx);
    case 'user_text':
      return content(
        p,
        ctx,
        {
          kind: 'user_message',
          text: f.text,
          canonical: false,
          injected: f.injected,
          origin: f.origin,
          itemId: f.itemId,
          images: f.images,
        },
        { ...extra, turnId: f.turnId },
      );
    case 'assistant_text':
      return content(
        p,
        ctx,
        {
          kind: 'assistant_message',
          text: f.text,
          canonical: false,
          origin: f.origin,
          itemId: f.itemId,
          phase: f.phase,
        },
        { ...extra, turnId: f.turnId },
      );
    case 'tool_call':
    case 'tool_output':
    case 'tool_complete':
    case 'tool_exec':
      if (!f.callId) return;
      return content(
        p,
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
      return content(
        p,
        ctx,
        {
          kind: 'other',
          type: f.type,
          subtype: f.subtype,
          raw: f.raw,
          head: f.head,
          ...(f.unknown ? { unknown: f.unknown } : {}),
        },
        extra,
      );
    case 'review':
      return content(p, ctx, { kind: 'review', phase: f.phase, raw: f.raw }, extra);
    default:
      simpleContent(p, f, ctx, extra);
  }
}

// Turn facts: a turn opens on task_started, a typed prompt or the first line naming its id, and is
// emitted once its prompt and its own turn_context are known (or when it ends or the next opens).
import { type LineFact } from '../normalize.js';
import { type TurnState } from './state.js';
import type { RolloutTurnStarted } from '../types.js';
import { type LineCtx, type Parse, addExtras, attributedId, content, event, ownId, ref, remember } from './context.js';
import { flushThread } from './threads.js';
import { emitTool } from './tools.js';

export function onTurnContext(p: Parse, f: Extract<LineFact, { f: 'turn_context' }>, ctx: LineCtx): void {
  if (f.model) p.st.model = f.model;
  if (f.approvalPolicy) p.st.approvalPolicy = f.approvalPolicy;
  if (f.sandboxPolicy) p.st.sandboxPolicy = f.sandboxPolicy;
  const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn && !p.st.turn.ended ? p.st.turn : undefined;
  if (t && f.model) t.model = f.model;
  if (t) t.contextSeen = true;
  if (p.withContent)
    content(
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
      { turnId: f.turnId ?? t?.id },
    );
  flushThread(p);
  if (t) maybeEmitTurn(p, t);
}

export function openTurn(
  p: Parse,
  ctx: LineCtx,
  by: TurnState['openedBy'],
  o: Partial<Pick<TurnState, 'id' | 'rootTurnId' | 'parentTurnId' | 'trigger'>>,
): TurnState {
  if (p.st.turn && !p.st.turn.emitted) emitTurn(p, p.st.turn);
  // Assigned, not spread: a turn opens on every prompt (decision 0064).
  const t = ref(p, ctx) as TurnState;
  if (o.id !== undefined) t.id = o.id;
  if (o.rootTurnId !== undefined) t.rootTurnId = o.rootTurnId;
  if (o.parentTurnId !== undefined) t.parentTurnId = o.parentTurnId;
  if (o.trigger !== undefined) t.trigger = o.trigger;
  t.index = ++p.st.turnsOpened;
  t.openedBy = by;
  t.emitted = false;
  t.ended = false;
  p.st.replyText = undefined;
  if (o.id) remember(p.st.knownTurns, o.id);
  p.st.turn = t;
  return t;
}

/** The turn a line of this thread names; a turn id not seen before opens a turn. */
export function refTurn(p: Parse, id: string | undefined, ctx: LineCtx): TurnState | undefined {
  if (!id) return p.st.turn;
  if (p.st.turn?.id === id) return p.st.turn;
  if (p.st.mirrorTurns.has(id))
    p.st.mirrorTurns.delete(id); // own-thread evidence: a real turn after all
  else if (p.st.knownTurns.has(id)) return undefined; // an earlier turn, already counted
  return openTurn(p, ctx, 'reference', { id });
}

/**
 * Emit once the prompt and this turn's own turn_context (its model) are known — 0.169 writes the
 * turn_context first, older builds the prompt first; the bare format has no turn_context. A turn
 * that never gets there is emitted when it ends, when the next one opens, or at the end of the read.
 */
export function maybeEmitTurn(p: Parse, t: TurnState): void {
  if (!t.emitted && t.prompt !== undefined && (t.contextSeen || p.st.format === 'bare')) emitTurn(p, t);
}

export function emitTurn(p: Parse, t: TurnState): void {
  if (t.emitted) return;
  t.emitted = true;
  flushThread(p);
  const prompt = t.prompt ?? t.fallbackPrompt;
  p.stats.turns++;
  // Keys in the order the spreads this replaces gave them (decision 0060).
  const e = {
    kind: 'turn',
    key: '',
    threadId: attributedId(p),
    ts: t.ts,
    originator: p.st.thread?.originator,
    model: t.model ?? p.st.model,
    turnId: t.id,
    prompt,
    promptLength: prompt?.length,
    threadKind: p.st.thread?.kind ?? 'user',
  } as RolloutTurnStarted;
  addExtras(p, t, e);
  e.turnIndex = t.index;
  if (t.rootTurnId) e.rootTurnId = t.rootTurnId;
  if (t.parentTurnId) e.parentTurnId = t.parentTurnId;
  if (t.trigger) e.trigger = t.trigger;
  event(p, e);
}

export function onTaskStarted(p: Parse, f: Extract<LineFact, { f: 'task_started' }>, ctx: LineCtx): void {
  // A parent thread mirrors the task_started of a sub-agent's turn (turn_attribution.parent_turn_id
  // = the parent's turn); that turn belongs to the child's rollout.
  const mirror = p.st.thread?.kind === 'user' && f.parentTurnId !== undefined && f.parentTurnId !== f.turnId;
  if (p.withContent)
    content(
      p,
      ctx,
      {
        kind: 'turn_started',
        parentTurnId: f.parentTurnId,
        rootTurnId: f.rootTurnId,
        trigger: f.trigger,
        subagentMirror: mirror,
        raw: f.raw,
      },
      { turnId: f.turnId },
    );
  if (mirror) {
    if (f.turnId && !p.st.knownTurns.has(f.turnId)) remember(p.st.mirrorTurns, f.turnId);
    return;
  }
  const fields = { rootTurnId: f.rootTurnId, parentTurnId: f.parentTurnId, trigger: f.trigger };
  if (f.turnId && p.st.turn?.id === f.turnId) {
    Object.assign(p.st.turn, fields);
    return;
  }
  if (f.turnId && p.st.knownTurns.has(f.turnId)) return;
  openTurn(p, ctx, 'task_started', { id: f.turnId, ...fields });
}

export function onTaskComplete(p: Parse, f: Extract<LineFact, { f: 'task_complete' }>, ctx: LineCtx): void {
  if (p.withContent)
    content(
      p,
      ctx,
      {
        kind: 'turn_complete',
        aborted: f.aborted,
        durationMs: f.durationMs,
        lastAgentMessage: f.lastAgentMessage,
        raw: f.raw,
      },
      { turnId: f.turnId ?? p.st.turn?.id },
    );
  if (f.turnId && p.st.mirrorTurns.has(f.turnId)) return;
  const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
  if (!t || t.ended) return;
  if (!t.emitted) emitTurn(p, t);
  t.ended = true;
  for (const tool of [...p.st.tools.values()]) if (tool.turnId === t.id) emitTool(p, tool);
}

export function onUserText(p: Parse, f: Extract<LineFact, { f: 'user_text' }>, ctx: LineCtx): void {
  const foreign = f.itemThreadId && f.itemThreadId !== ownId(p) ? f.itemThreadId : undefined;
  if (p.withContent)
    content(
      p,
      ctx,
      {
        kind: 'user_message',
        text: f.text,
        canonical: f.canonical && !foreign,
        injected: f.injected,
        origin: f.origin,
        itemId: f.itemId,
        images: f.images,
      },
      { turnId: f.turnId ?? (foreign ? undefined : p.st.turn?.id), foreignThreadId: foreign },
    );
  if (foreign || f.injected) return;
  if (!f.canonical) {
    // The model-visible copy of a prompt whose canonical record is an event: a fallback only.
    const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
    if (t && !t.ended && t.fallbackPrompt === undefined) t.fallbackPrompt = f.text;
    return;
  }
  let t: TurnState | undefined;
  if (f.turnId) t = refTurn(p, f.turnId, ctx);
  else {
    // No turn ids (2025-09..0.16x envelope, bare format): each typed prompt is a turn, unless a
    // task_started already opened the turn it belongs to.
    const cur = p.st.turn;
    t =
      cur && !cur.ended && cur.prompt === undefined && cur.openedBy !== 'user_message'
        ? cur
        : openTurn(p, ctx, 'user_message', {});
  }
  if (!t) return;
  if (t.prompt === undefined) t.prompt = f.text;
  maybeEmitTurn(p, t);
}

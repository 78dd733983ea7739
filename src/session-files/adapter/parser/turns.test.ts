// Turn handlers, driven with facts directly (no file, no JSON).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutRecord, RolloutTurnStarted } from '../types.js';
import type { LineCtx } from './context.js';
import { RolloutParser } from './parser.js';
import { onToolCall } from './tools.js';
import { onTaskComplete, onTaskStarted, onTurnContext, onUserText, refTurn } from './turns.js';

const at = (line: number, ts: number): LineCtx => ({
  raw: { lineNo: line, offset: line * 100, bytes: 99, oversized: false, binary: false },
  ts,
});
const turns = (out: RolloutRecord[]) =>
  out.flatMap((r) => (r.type === 'event' && r.event.kind === 'turn' ? [r.event as RolloutTurnStarted] : []));
const prompt = (text: string, turnId?: string) => ({
  f: 'user_text' as const,
  text,
  canonical: true,
  injected: false,
  origin: 'event_msg' as const,
  turnId,
});

describe('turn handlers', () => {
  it('0.169 order: task_started, turn_context, prompt -> one turn with its own model, emitted at the prompt', () => {
    const p = new RolloutParser({ threadIdHint: 'th' });
    onTaskStarted(p, { f: 'task_started', turnId: 'u1', raw: {} }, at(1, 10));
    onTurnContext(p, { f: 'turn_context', turnId: 'u1', model: 'gpt-5.5', raw: {} }, at(2, 11));
    assert.equal(turns(p.out).length, 0);
    onUserText(p, prompt('fix the build', 'u1'), at(3, 12));
    const t = turns(p.out);
    assert.equal(t.length, 1);
    assert.deepEqual(
      [t[0]!.turnId, t[0]!.model, t[0]!.prompt, t[0]!.turnIndex, t[0]!.line],
      ['u1', 'gpt-5.5', 'fix the build', 1, 1],
    );
  });

  it('without turn ids every typed prompt is a turn', () => {
    const p = new RolloutParser({ threadIdHint: 'th' });
    p.st.format = 'bare';
    onUserText(p, prompt('one'), at(1, 1));
    onUserText(p, prompt('two'), at(2, 2));
    assert.deepEqual(
      turns(p.out).map((t) => [t.prompt, t.turnIndex]),
      [
        ['one', 1],
        ['two', 2],
      ],
    );
  });

  it('task_complete emits a turn that never got its prompt, and the tool calls still waiting in it', () => {
    const p = new RolloutParser();
    p.st.thread = { threadId: 'th', kind: 'user' };
    onTaskStarted(p, { f: 'task_started', turnId: 'u1', raw: {} }, at(1, 1));
    onToolCall(p, { f: 'tool_call', callId: 'c1', toolName: 'shell', toolKind: 'function', turnId: 'u1' }, at(2, 2));
    onTaskComplete(p, { f: 'task_complete', turnId: 'u1', aborted: true, raw: {} }, at(3, 3));
    const kinds = p.out.flatMap((r) => (r.type === 'event' ? [r.event.kind] : []));
    assert.deepEqual(kinds, ['thread_started', 'turn', 'tool']);
    assert.equal(p.st.turn?.ended, true);
    assert.equal(p.st.tools.size, 0);
  });

  it('a sub-agent turn mirrored in the parent is not the parent’s, unless the parent’s own lines name it', () => {
    const p = new RolloutParser({ threadIdHint: 'parent' });
    p.st.thread = { threadId: 'parent', kind: 'user' };
    onTaskStarted(p, { f: 'task_started', turnId: 'child-turn', parentTurnId: 'u1', raw: {} }, at(1, 1));
    assert.equal(p.st.turn, undefined);
    assert.ok(p.st.mirrorTurns.has('child-turn'));
    onTaskComplete(p, { f: 'task_complete', turnId: 'child-turn', aborted: false, raw: {} }, at(2, 2));
    assert.equal(p.st.turn, undefined);
    assert.equal(refTurn(p, 'child-turn', at(3, 3))?.id, 'child-turn');
    assert.equal(p.st.mirrorTurns.has('child-turn'), false);
  });

  it('a turn id seen before does not open the turn again', () => {
    const p = new RolloutParser({ threadIdHint: 'th' });
    onTaskStarted(p, { f: 'task_started', turnId: 'u1', raw: {} }, at(1, 1));
    onTaskStarted(p, { f: 'task_started', turnId: 'u2', raw: {} }, at(2, 2));
    assert.equal(refTurn(p, 'u1', at(3, 3)), undefined);
    assert.equal(p.st.turnsOpened, 2);
  });
});

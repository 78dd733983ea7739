// Tool handlers, driven with facts directly (no file, no JSON).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutRecord, RolloutToolCall } from '../types.js';
import type { LineCtx } from './context.js';
import { RolloutParser } from './parser.js';
import { MAX_PENDING_TOOLS } from './state.js';
import { onToolCall, onToolComplete, onToolExec, onToolOutput } from './tools.js';

const at = (line: number, ts: number): LineCtx => ({
  raw: { lineNo: line, offset: line * 100, bytes: 99, oversized: false, binary: false },
  ts,
});
const tools = (out: RolloutRecord[]) =>
  out.flatMap((r) => (r.type === 'event' && r.event.kind === 'tool' ? [r.event as RolloutToolCall] : []));
const parser = () => {
  const p = new RolloutParser();
  p.st.thread = { threadId: 'th', kind: 'user' };
  return p;
};

describe('tool handlers', () => {
  it('a call waits for its output; the exec details win over what the output says', () => {
    const p = parser();
    onToolCall(
      p,
      { f: 'tool_call', callId: 'c1', toolName: 'shell', toolKind: 'function', arguments: '{"cmd":"ls"}' },
      at(1, 1000),
    );
    onToolExec(p, { f: 'tool_exec', callId: 'c1', exitCode: 2, durationMs: 40, cwd: '/w' }, at(2, 1030));
    assert.equal(tools(p.out).length, 0);
    onToolOutput(p, { f: 'tool_output', callId: 'c1', output: 'x', exitCode: 0, durationMs: 99 }, at(3, 1050));
    const t = tools(p.out);
    assert.equal(t.length, 1);
    assert.deepEqual(
      [t[0]!.exitCode, t[0]!.success, t[0]!.durationMs, t[0]!.durationSource, t[0]!.line],
      [2, false, 40, 'exec', 1],
    );
    const c = p.out.flatMap((r) => (r.type === 'content' && r.content.kind === 'tool_call' ? [r.content] : []));
    assert.equal(c.length === 1 && c[0]!.kind === 'tool_call' && c[0]!.cwd, '/w');
  });

  it('without a stated duration, the time from call to output is the duration', () => {
    const p = parser();
    onToolCall(p, { f: 'tool_call', callId: 'c1', toolKind: 'custom' }, at(1, 1000));
    onToolOutput(p, { f: 'tool_output', callId: 'c1', output: 'ok' }, at(2, 1250));
    assert.deepEqual([tools(p.out)[0]!.durationMs, tools(p.out)[0]!.durationSource], [250, 'timestamps']);
  });

  it('a completion without a call is a whole tool call; exec details after it are content only', () => {
    const p = parser();
    onToolComplete(
      p,
      { f: 'tool_complete', callId: 'm1', toolName: 'mcp:search', toolKind: 'mcp', output: 'r', success: true },
      at(1, 1),
    );
    onToolExec(p, { f: 'tool_exec', callId: 'm1', exitCode: 1 }, at(2, 2));
    assert.equal(tools(p.out).length, 1);
    assert.equal(tools(p.out)[0]!.success, true);
    assert.equal(p.out.filter((r) => r.type === 'content' && r.content.kind === 'tool_call').length, 2);
  });

  it('pending calls are bounded: the oldest is emitted without output', () => {
    const p = parser();
    for (let i = 0; i <= MAX_PENDING_TOOLS; i++)
      onToolCall(p, { f: 'tool_call', callId: `c${i}`, toolKind: 'function' }, at(i + 1, i));
    assert.equal(p.st.tools.size, MAX_PENDING_TOOLS);
    assert.deepEqual(
      tools(p.out).map((t) => [t.callId, t.output]),
      [['c0', undefined]],
    );
    assert.ok(p.st.emittedTools.has('c0'));
  });

  it('a call whose time came from the mtime fallback gets no duration years long from the timestamps', () => {
    // Found by the fuzzer: the call line's timestamp was garbage, so the call took the file's mtime
    // (2015) and its output's real time gave a duration past a 32-bit integer.
    const p = parser();
    const mtime = Date.UTC(2015, 0, 1);
    const output = Date.UTC(2026, 10, 22);
    onToolCall(
      p,
      { f: 'tool_call', callId: 'c9', toolName: 'shell', toolKind: 'function', arguments: '{}' },
      at(1, mtime),
    );
    onToolOutput(p, { f: 'tool_output', callId: 'c9', output: 'x' }, at(2, output));
    const t = tools(p.out);
    assert.equal(t.length, 1);
    assert.deepEqual([t[0]!.durationMs, t[0]!.durationSource], [undefined, undefined]);
  });

  it('a call id made from the line stays within the id bound (long fuzz run, seed 20261509)', () => {
    const idOf = (threadId: string) => {
      const p = parser();
      p.st.thread = { threadId, kind: 'user' };
      onToolOutput(p, { f: 'tool_output', output: 'hi' }, { ...at(12, 1000), ordinal: 12 });
      const t = tools(p.out);
      assert.equal(t.length, 1);
      return t[0]!.callId;
    };
    const long = idOf('i'.repeat(255));
    assert.ok(long.length <= 256, `${long.length} characters`);
    assert.match(long, /^line:/);
    assert.equal(idOf('i'.repeat(255)), long, 'the same line read again gets the same id');
    assert.equal(idOf('th'), 'th:12', 'within the bound: the line key itself, as before');
  });
});

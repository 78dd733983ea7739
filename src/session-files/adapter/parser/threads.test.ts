// Thread handlers, driven with facts directly (no file, no JSON).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionMetaSchema } from '../schema.js';
import type { RolloutRecord } from '../types.js';
import type { LineCtx } from './context.js';
import { RolloutParser } from './parser.js';
import { flushThread, onBareMeta, onSessionMeta, onSettings } from './threads.js';

const at = (line: number, ts: number): LineCtx => ({
  raw: { lineNo: line, offset: line * 100, bytes: 99, oversized: false, binary: false },
  ts,
});
const meta = (m: Record<string, unknown>) => ({ f: 'session_meta' as const, meta: SessionMetaSchema.parse(m), raw: m });
const events = (out: RolloutRecord[]) => out.flatMap((r) => (r.type === 'event' ? [r.event] : []));

describe('thread handlers', () => {
  it('session_meta names the thread once; a 0.169 writer switches to token_usage_record counting', () => {
    const p = new RolloutParser({ threadIdHint: 'from-name' });
    onSessionMeta(
      p,
      meta({ id: 'th-1', cli_version: '0.169.2', originator: 'codex_exec', model: 'gpt-5' }),
      at(1, 1000),
    );
    assert.equal(p.st.thread?.threadId, 'th-1');
    assert.equal(p.st.recordMode, true);
    assert.equal(p.st.model, 'gpt-5');
    onSessionMeta(p, meta({ id: 'th-1', cli_version: '0.169.2' }), at(2, 1001));
    const content = p.out.flatMap((r) => (r.type === 'content' && r.content.kind === 'session' ? [r.content] : []));
    assert.deepEqual(
      content.map((c) => c.kind === 'session' && c.duplicate === true),
      [false, true],
    );
  });

  it('another thread’s session_meta starts copied parent history (old fork)', () => {
    const p = new RolloutParser();
    onSessionMeta(p, meta({ id: 'fork', cli_version: '0.40.0' }), at(1, 1000));
    onSessionMeta(p, meta({ id: 'parent', cli_version: '0.40.0' }), at(2, 1001));
    assert.deepEqual(p.st.inherited, { active: true, lastTs: 1001 });
    assert.equal(p.stats.inheritedLines, 1);
    assert.equal(p.st.thread?.threadId, 'fork');
  });

  it('ThreadStarted is emitted once, with the settings known by then, at the session_meta line', () => {
    const p = new RolloutParser();
    onSessionMeta(p, meta({ id: 'th-2', timestamp: '2026-01-01T00:00:00Z' }), at(3, 5));
    onSettings(
      p,
      { f: 'settings', model: 'gpt-5-codex', approvalPolicy: 'never', provider: 'openai', raw: {} },
      at(4, 6),
    );
    flushThread(p);
    const started = events(p.out).filter((e) => e.kind === 'thread_started');
    assert.equal(started.length, 1);
    assert.deepEqual(
      [started[0]!.model, started[0]!.approvalPolicy, started[0]!.provider, started[0]!.line],
      ['gpt-5-codex', 'never', 'openai', 3],
    );
  });

  it('settings of another thread are content only', () => {
    const p = new RolloutParser();
    onSessionMeta(p, meta({ id: 'mine' }), at(1, 1));
    onSettings(p, { f: 'settings', threadId: 'theirs', model: 'other-model', raw: {} }, at(2, 2));
    assert.equal(p.st.model, undefined);
    assert.equal(p.st.threadEmitted, false);
  });

  it('a bare first line names the thread with its git details', () => {
    const p = new RolloutParser();
    onBareMeta(
      p,
      { f: 'bare_meta', id: 'bare-1', timestamp: '2025-08-12T14:02:11Z', git: { branch: 'main' }, raw: {} },
      at(1, 0),
    );
    assert.equal(p.st.thread?.threadId, 'bare-1');
    assert.equal(p.st.thread?.git?.branch, 'main');
    assert.equal(p.st.thread?.startedAt, Date.parse('2025-08-12T14:02:11Z'));
  });
});

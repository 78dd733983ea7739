// Content handlers, driven with facts directly (no file, no JSON).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutContent, RolloutRecord } from '../types.js';
import { inheritedFact, simpleContent } from './content.js';
import type { LineCtx } from './context.js';
import { RolloutParser } from './parser.js';

const at = (line: number, ts: number): LineCtx => ({
  raw: { lineNo: line, offset: line * 100, bytes: 99, oversized: false, binary: false },
  ts,
});
const contents = (out: RolloutRecord[]): RolloutContent[] =>
  out.flatMap((r) => (r.type === 'content' ? [r.content] : []));
const parser = (content = true) => {
  const p = new RolloutParser({ content });
  p.st.thread = { threadId: 'th', kind: 'user' };
  return p;
};

describe('content handlers', () => {
  it('reasoning, developer text and compaction become content records of the line', () => {
    const p = parser();
    simpleContent(p, { f: 'reasoning', summary: ['thinking'], encrypted: 'e' }, at(4, 7), { turnId: 'u1' });
    simpleContent(p, { f: 'compaction', message: 'sum', replacementHistoryItems: 3 }, at(5, 8), {});
    const c = contents(p.out);
    assert.deepEqual(
      c.map((x) => [x.kind, x.line, x.ts, x.turnId, x.discriminator]),
      [
        ['reasoning', 4, 7, 'u1', 'th@400'],
        ['compaction', 5, 8, undefined, 'th@500'],
      ],
    );
    assert.equal('turnId' in c[1]!, false);
  });

  it('nothing is recorded when content is off', () => {
    const p = parser(false);
    simpleContent(p, { f: 'rate_limits', raw: {} }, at(1, 1), {});
    assert.equal(p.out.length, 0);
  });

  it('copied parent history: content marked inherited; token totals set the baseline and count nothing', () => {
    const p = parser();
    const total = { input: 10, cached: 0, output: 1, reasoning: 0, cacheWrite: 0, total: 11 };
    inheritedFact(p, { f: 'token_count', info: { total } }, at(1, 1));
    inheritedFact(p, { f: 'usage_record', responseId: 'r-parent', usage: total }, at(2, 2));
    inheritedFact(
      p,
      { f: 'user_text', text: 'old prompt', canonical: true, injected: false, origin: 'event_msg' },
      at(3, 3),
    );
    inheritedFact(p, { f: 'tool_output', callId: 'c9', output: 'o' }, at(4, 4));
    assert.deepEqual(p.st.prevTotal, total);
    assert.ok(p.st.seenResponses.has('r-parent'));
    assert.equal(p.stats.ignoredTokenCounts.inherited, 2);
    assert.equal(
      p.out.some((r) => r.type === 'event'),
      false,
    );
    const c = contents(p.out);
    assert.deepEqual(
      c.map((x) => [x.kind, x.inherited, x.kind === 'user_message' ? x.canonical : undefined]),
      [
        ['user_message', true, false],
        ['tool_call', true, undefined],
      ],
    );
  });
});

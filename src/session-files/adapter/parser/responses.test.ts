// Token handlers, driven with facts directly (no file, no JSON).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutModelResponse, RolloutRecord, UsageTotals } from '../types.js';
import type { LineCtx } from './context.js';
import { RolloutParser } from './parser.js';
import { onAssistantText, onTokenCount, onUsageRecord } from './responses.js';

const at = (line: number, ts: number): LineCtx => ({
  raw: { lineNo: line, offset: line * 100, bytes: 99, oversized: false, binary: false },
  ts,
});
const responses = (out: RolloutRecord[]) =>
  out.flatMap((r) => (r.type === 'event' && r.event.kind === 'response' ? [r.event as RolloutModelResponse] : []));
const u = (input: number, output: number, cached = 0): UsageTotals => ({
  input,
  cached,
  output,
  reasoning: 0,
  cacheWrite: 0,
  total: input + output,
});
const parser = () => {
  const p = new RolloutParser();
  p.st.thread = { threadId: 'th', kind: 'user' };
  return p;
};

describe('response handlers', () => {
  it('token_usage_record: one response per response_id, with the reply text written before it', () => {
    const p = parser();
    p.st.replyText = 'done';
    onUsageRecord(p, { f: 'usage_record', responseId: 'r1', usage: u(100, 10) }, at(1, 1));
    onUsageRecord(p, { f: 'usage_record', responseId: 'r1', usage: u(100, 10) }, at(2, 2));
    const r = responses(p.out);
    assert.equal(r.length, 1);
    assert.deepEqual(
      [r[0]!.responseId, r[0]!.tokenSource, r[0]!.text, r[0]!.tokens.input],
      ['r1', 'token_usage_record', 'done', 100],
    );
    assert.equal(p.stats.duplicateResponses, 1);
    assert.equal(p.st.replyText, undefined);
    assert.equal(p.st.recordMode, true);
  });

  it('token_usage_record of another thread is content only', () => {
    const p = parser();
    onUsageRecord(p, { f: 'usage_record', responseId: 'r1', threadId: 'other', usage: u(1, 1) }, at(1, 1));
    assert.equal(responses(p.out).length, 0);
    assert.equal(p.stats.ignoredTokenCounts.foreign, 1);
  });

  it('token_count: last usage counts; repeated totals, zero deltas and a null info do not', () => {
    const p = parser();
    p.st.model = 'gpt-5';
    onTokenCount(p, { f: 'token_count', info: { last: u(50, 5), total: u(50, 5) } }, at(1, 1));
    onTokenCount(p, { f: 'token_count', info: { last: u(50, 5), total: u(50, 5) } }, at(2, 2)); // repeated
    onTokenCount(p, { f: 'token_count', info: { total: u(80, 7) } }, at(3, 3)); // delta of totals
    onTokenCount(p, { f: 'token_count', info: { last: u(0, 0), total: u(90, 7) } }, at(4, 4)); // zero
    onTokenCount(p, { f: 'token_count', info: null }, at(5, 5));
    assert.deepEqual(
      responses(p.out).map((r) => [r.tokenSource, r.tokens.input, r.tokens.output, r.model]),
      [
        ['last_token_usage', 50, 5, 'gpt-5'],
        ['total_delta', 30, 2, 'gpt-5'],
      ],
    );
    const ig = p.stats.ignoredTokenCounts;
    assert.deepEqual([ig.repeated, ig.zero, ig.infoNull], [1, 1, 1]);
  });

  it('once usage records are counted, token_count only moves the baseline', () => {
    const p = parser();
    p.st.recordMode = true;
    onTokenCount(p, { f: 'token_count', info: { last: u(5, 5), total: u(5, 5) } }, at(1, 1));
    assert.equal(responses(p.out).length, 0);
    assert.deepEqual(p.st.prevTotal, u(5, 5));
    assert.equal(p.stats.ignoredTokenCounts.superseded, 1);
  });

  it('a fork’s first running total is its parent’s: a baseline, not a delta', () => {
    const p = parser();
    p.st.thread = { threadId: 'fork', kind: 'user', forkedFromId: 'parent' };
    onTokenCount(p, { f: 'token_count', info: { total: u(1000, 100) } }, at(1, 1));
    onTokenCount(p, { f: 'token_count', info: { total: u(1010, 102) } }, at(2, 2));
    assert.deepEqual(
      responses(p.out).map((r) => [r.tokens.input, r.tokens.output]),
      [[10, 2]],
    );
  });

  it('an implausible delta is skipped with its reason, not counted', () => {
    const p = parser();
    onTokenCount(p, { f: 'token_count', info: { total: u(10, 1) } }, at(1, 1));
    onTokenCount(p, { f: 'token_count', info: { total: u(10 + 2 ** 53, 1) } }, at(2, 2));
    assert.equal(responses(p.out).length, 1);
    assert.equal(p.stats.skippedByReason.implausible_value, 1);
  });

  it('canonical assistant text of this thread is the next response’s text; another thread’s is not', () => {
    const p = parser();
    const text = (t: string, itemThreadId?: string) => ({
      f: 'assistant_text' as const,
      text: t,
      canonical: true,
      origin: 'event_msg' as const,
      itemThreadId,
    });
    onAssistantText(p, text('first'), at(1, 1));
    onAssistantText(p, text('theirs', 'child'), at(2, 2));
    onAssistantText(p, text('second'), at(3, 3));
    onUsageRecord(p, { f: 'usage_record', responseId: 'r1', usage: u(1, 1) }, at(4, 4));
    assert.equal(responses(p.out)[0]!.text, 'first\nsecond');
    const foreign = p.out.flatMap((r) => (r.type === 'content' && r.content.foreignThreadId ? [r.content] : []));
    assert.equal(foreign.length, 1);
  });
});

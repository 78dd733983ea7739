import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldFacts, mergeFact, type FactRecord } from './compliance-merge.js';

// One response as each source records it: OTLP has no id or text but the request identity; the
// session file has the id and the assistant's text. Prices differ to show the stored fact wins.
const otlp = (extra: Record<string, unknown> = {}) => ({
  fact_key: 'resp:T:1000:10:0:5:0:9',
  kind: 'response',
  model: 'gpt-5',
  request: { app_version: '0.169.0', auth_mode: 'apikey', email_claim: 'a@x.io', host: 'vm', source: 'otlp' },
  response: { cost_usd: 0.1, id: null, text: null, usage: { input_tokens: 10, output_tokens: 5 } },
  thread_id: 'T',
  timestamp: '2026-11-22T01:26:36.319Z',
  turn_id: null,
  ...extra,
});
const file = (extra: Record<string, unknown> = {}) => ({
  fact_key: 'resp:resp_8',
  kind: 'response',
  model: 'gpt-5',
  request: { app_version: null, auth_mode: null, email_claim: null, host: 'dev-host', source: 'rollout' },
  response: { cost_usd: 0.2, id: 'resp_8', text: 'hi there', usage: { input_tokens: 10, output_tokens: 5 } },
  thread_id: 'T',
  timestamp: '2026-11-22T01:26:36.316Z',
  turn_id: 'turn-1',
  ...extra,
});
const link = (fact_key: string, source: string) => ({ completes: { fact_key, source } });

describe('mergeFact', () => {
  const otlpFirst: FactRecord[] = [
    { id: 'a', content: otlp() },
    { id: 'b', content: file(link('resp:T:1000:10:0:5:0:9', 'otlp')) },
  ];
  const fileFirst: FactRecord[] = [
    { id: 'c', content: file() },
    { id: 'd', content: otlp(link('resp:resp_8', 'rollout')) },
  ];

  it('takes texts and ids from the file, request identity from OTLP, price from the stored fact', () => {
    const m = mergeFact(otlpFirst);
    assert.deepEqual(m.record_ids, ['a', 'b']);
    assert.equal(m.fact, 'resp:T:1000:10:0:5:0:9');
    const c = m.content as any;
    assert.equal(c.response.text, 'hi there');
    assert.equal(c.response.id, 'resp_8');
    assert.equal(c.turn_id, 'turn-1');
    assert.equal(c.request.auth_mode, 'apikey');
    assert.equal(c.request.host, 'vm');
    assert.equal(c.request.source, 'otlp');
    assert.equal(c.response.cost_usd, 0.1);
    assert.equal(c.timestamp, '2026-11-22T01:26:36.316Z');
    assert.equal(c.fact_key, 'resp:resp_8');
    assert.deepEqual(c.fact_keys, ['resp:T:1000:10:0:5:0:9', 'resp:resp_8']);
    assert.equal('completes' in c, false);
  });

  it('gives the same record in both arrival orders, but the stored fact’s price', () => {
    const a = mergeFact(otlpFirst).content as any;
    const b = mergeFact(fileFirst).content as any;
    assert.equal(b.response.cost_usd, 0.2);
    a.response.cost_usd = b.response.cost_usd;
    assert.deepEqual(a, b);
    const keys = Object.keys(mergeFact(otlpFirst).content);
    assert.deepEqual(keys, [...keys].sort(), 'keys in canonical order');
  });

  it('a field only one source has is kept, null where neither has it', () => {
    const c = mergeFact([
      { id: 'a', content: { fact_key: 'k', kind: 'prompt', prompt: { text: null }, x: null } },
      { id: 'b', content: { fact_key: 'k', kind: 'prompt', prompt: { length: 3 }, x: null, ...link('k', 'otlp') } },
    ]).content;
    assert.deepEqual(c, {
      fact_key: 'k',
      fact_keys: ['k'],
      kind: 'prompt',
      prompt: { length: 3, text: null },
      x: null,
    });
  });
});

describe('foldFacts', () => {
  it('folds completions into their base at the base’s place; other records pass alone', () => {
    const recs: FactRecord[] = [
      { id: '1', content: { fact_key: 'thread:T', kind: 'session_start', request: { source: 'otlp' } } },
      { id: '2', content: { kind: 'dlp', rule_id: 'aws' } },
      { id: '3', content: otlp() },
      { id: '4', content: { fact_key: 'thread:T', kind: 'session_start', ...link('thread:T', 'otlp') } },
      { id: '5', content: file(link('resp:T:1000:10:0:5:0:9', 'otlp')) },
    ];
    const out = foldFacts(recs, (r) => r.content.kind !== 'dlp');
    assert.deepEqual(
      out.map((m) => m.record_ids),
      [['1', '4'], ['2'], ['3', '5']],
    );
    assert.deepEqual(out[1]!.content, { kind: 'dlp', rule_id: 'aws' });
  });
});

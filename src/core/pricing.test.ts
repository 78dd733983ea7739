// The rate card against the prices ccusage 20.0.24 (LiteLLM) computed for the same requests
// (docs/decisions/0006-session-files.md): the 272K long-context tier of gpt-5.4/5.5 and the models added.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { priceUsage } from './pricing.js';

const usd = (model: string, input: number, cached: number, output: number) => priceUsage(model, { input, cached, output, reasoning: 0 }, 25).costNanoUsd / 1e9;

it('gpt-5.5 and gpt-5.4 above 272K input tokens: the whole request at 2x input and cached, 1.5x output', () => {
  assert.equal(usd('gpt-5.5', 272_000, 0, 100_000), 4.36); // at the threshold: base prices
  assert.equal(usd('gpt-5.5', 272_001, 0, 100_000), 7.22001);
  assert.equal(usd('gpt-5.5', 300_000, 0, 100_000), 7.5);
  assert.equal(usd('gpt-5.5', 300_000, 200_000, 0), 1.2);
  assert.equal(usd('gpt-5.4', 300_000, 0, 100_000), 3.75);
  assert.equal(usd('gpt-5', 300_000, 0, 100_000), 1.375); // no tier
});

it('models added to the rate card price as ccusage does', () => {
  assert.equal(usd('gpt-5.4-mini', 100_000, 0, 0), 0.075);
  assert.equal(usd('gpt-5.4-mini', 100_000, 100_000, 100_000), 0.4575);
  assert.equal(usd('gpt-5.4-nano', 100_000, 100_000, 100_000), 0.127);
  assert.equal(usd('gpt-5.3-codex', 100_000, 0, 0), 0.175);
  assert.equal(priceUsage('gpt-5.3-codex', { input: 1, cached: 0, output: 0, reasoning: 0 }, 25).fallback, false);
});

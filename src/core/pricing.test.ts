// The rate card against the prices ccusage 20.0.24 (LiteLLM) computed for the same requests
// (docs/decisions/0006-session-files.md): the 272K long-context tier of gpt-5.4/5.5 and the models added.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_CREDITS_PER_USD, MAX_TOKENS_PER_RESPONSE } from './bounds.js';
import { priceUsage } from './pricing.js';

const usd = (model: string, input: number, cached: number, output: number) =>
  priceUsage(model, { input, cached, output, reasoning: 0 }, 25).costNanoUsd / 1e9;

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

// Issue 11, item 2: money is exact integer arithmetic within checked ranges (decisions/0012).
it('credits are exact nano-credits, rounded half up, where float multiplication is not', () => {
  // 180 nano-USD x 2.675 credits/USD = 481.5 nano-credits; as doubles 481.49999999999994.
  const p = priceUsage('gpt-5-nano', { input: 36, cached: 36, output: 0, reasoning: 0 }, 2.675); // 36 x 5 nano-USD
  assert.equal(p.costNanoUsd, 180);
  assert.equal(p.creditsNano, 482);
});

it('the largest plausible response prices exactly; an implausible one is refused, never a float', () => {
  const max = { input: MAX_TOKENS_PER_RESPONSE, cached: 0, output: MAX_TOKENS_PER_RESPONSE, reasoning: 0 };
  const p = priceUsage('gpt-5.5', max, MAX_CREDITS_PER_USD);
  // Long context: input at 2 x $5, output at 1.5 x $30 per million.
  const cost = BigInt(MAX_TOKENS_PER_RESPONSE) * 10_000n + BigInt(MAX_TOKENS_PER_RESPONSE) * 45_000n;
  assert.equal(BigInt(p.costNanoUsd), cost);
  assert.equal(BigInt(p.creditsNano), cost * BigInt(MAX_CREDITS_PER_USD));
  assert.ok(Number.isSafeInteger(p.creditsNano));
  assert.throws(() => priceUsage('gpt-5.5', { ...max, output: MAX_TOKENS_PER_RESPONSE + 1 }, 25), RangeError);
  assert.throws(() => priceUsage('gpt-5.5', { ...max, input: 1.5 }, 25), RangeError);
  assert.throws(() => priceUsage('gpt-5.5', max, MAX_CREDITS_PER_USD * 2), RangeError);
});

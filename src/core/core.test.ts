import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clientIdFromOriginator, surfaceOf } from './clients.js';
import { FALLBACK_MODEL, lookupPrice, priceUsage } from './pricing.js';
import { dayOf, weekOfDay, weekStartDay } from './time.js';

it('prices gpt-5.5 at $5 / $0.50 / $30 per million, cached capped at input, reasoning inside output', () => {
  const p = priceUsage('gpt-5.5', { input: 2000, cached: 1500, output: 40, reasoning: 10 }, 25);
  // 500 uncached × $5 + 1500 cached × $0.50 + 40 output × $30, per million
  assert.equal(p.costNanoUsd, 500 * 5000 + 1500 * 500 + 40 * 30000);
  assert.equal(p.creditsNano, p.costNanoUsd * 25);
  assert.equal(p.fallback, false);
  const capped = priceUsage('gpt-5.5', { input: 10, cached: 50, output: 0, reasoning: 0 }, 25);
  assert.equal(capped.costNanoUsd, 10 * 500);
});

it('matches dated snapshots by prefix and flags unknown models', () => {
  assert.equal(lookupPrice('gpt-5-2025-08-07').model, 'gpt-5');
  assert.equal(lookupPrice('GPT-5.5').model, 'gpt-5.5');
  const u = lookupPrice('gpt-6-sol');
  assert.equal(u.fallback, true);
  assert.equal(u.model, FALLBACK_MODEL);
  assert.equal(lookupPrice(undefined).fallback, true);
});

it('maps originators to OpenAI client ids and surfaces', () => {
  assert.equal(clientIdFromOriginator('codex-tui'), 'CODEX_CLI');
  assert.equal(clientIdFromOriginator('codex_exec'), 'CODEX_SERVICE_EXEC');
  assert.equal(clientIdFromOriginator('codex_vscode'), 'CODEX_IDE_VSCODE');
  assert.equal(clientIdFromOriginator('Codex Desktop'), 'CODEX_DESKTOP_APP');
  assert.equal(clientIdFromOriginator('something_else'), 'CODEX_UNKNOWN_DEFAULT');
  assert.equal(clientIdFromOriginator(undefined), 'CODEX_UNKNOWN_DEFAULT');
  assert.equal(surfaceOf('CODEX_SERVICE_EXEC'), 'cli');
  assert.equal(surfaceOf('CODEX_IDE_VSCODE'), 'ide');
});

it('ISO weeks start on Monday (UTC)', () => {
  const monday = Date.UTC(2026, 10, 16); // 2026-11-16 is a Monday
  const sunday = monday - 1;
  assert.equal(weekOfDay(dayOf(monday)), weekOfDay(dayOf(monday + 6 * 86_400_000 + 86_399_999)));
  assert.equal(weekOfDay(dayOf(sunday)) + 1, weekOfDay(dayOf(monday)));
  assert.equal(weekStartDay(weekOfDay(dayOf(monday + 3 * 86_400_000))), dayOf(monday));
});

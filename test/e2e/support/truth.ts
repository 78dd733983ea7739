// Ground truth for the usage API, computed from what the mock model returned (never from src/):
// rates are written out here on purpose, so a wrong rate card in src/ fails the tests.
import assert from 'node:assert/strict';
import type { CodexRun } from './codex.js';
import type { RecordedResponse } from './mock-model.js';

export const RATES: Record<string, [number, number, number]> = {
  'gpt-5.5': [5, 0.5, 30],
  'gpt-5-mini': [0.25, 0.025, 2],
};

export function ok(r: CodexRun, what: string): void {
  assert.equal(r.code, 0, `${what}: codex exited ${r.code}\n${r.stderr.slice(-2000)}`);
}

export function usageTruth(responses: RecordedResponse[]) {
  let nano = 0;
  const t = {
    threads: new Set(responses.map((r) => r.threadId)).size,
    turns: new Set(responses.map((r) => r.turnId)).size,
    model_requests: responses.length,
    uncached_text_input_tokens: 0,
    cached_text_input_tokens: 0,
    text_output_tokens: 0,
    reasoning_output_tokens: 0,
    text_total_tokens: 0,
    cost_usd: 0,
  };
  for (const r of responses) {
    const u = r.usage;
    const [i, c, o] = RATES[r.model]!;
    nano +=
      (u.input_tokens - u.cached_input_tokens) * i * 1000 +
      u.cached_input_tokens * c * 1000 +
      u.output_tokens * o * 1000;
    t.uncached_text_input_tokens += u.input_tokens - u.cached_input_tokens;
    t.cached_text_input_tokens += u.cached_input_tokens;
    t.text_output_tokens += u.output_tokens;
    t.reasoning_output_tokens += u.reasoning_tokens;
    t.text_total_tokens += u.input_tokens + u.output_tokens;
  }
  t.cost_usd = nano / 1e9;
  return t;
}

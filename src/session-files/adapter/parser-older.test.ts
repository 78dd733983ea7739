// Ground truth for the older formats (split from parser.test.ts): files written from the format
// description in test/fixtures/rollouts/older (see the README there). Token numbers were checked by
// reading the files and, where it applies, against ccusage 20.0.24.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceUsage } from '../../core/pricing.js';
import { collectRollout } from './parser.js';

import {
  OLD_ENVELOPE,
  OLD_NO_MODEL,
  BARE,
  OLD_FORK,
  ofKind,
  tok,
  contentOf,
} from '../../../test/support/rollout-fixtures.js';

describe('older formats (written from the spec)', () => {
  it('2025-10: info:null, repeated totals, totals-only/0 deltas, cache_read_input_tokens, cached > input', async () => {
    const r = await collectRollout(OLD_ENVELOPE, { final: true });
    assert.equal(r.stats.format, 'envelope');
    const resp = ofKind(r.events, 'response');
    assert.deepEqual(
      resp.map((e) => [...tok(e), e.tokenSource]),
      [
        [5000, 4000, 200, 64, 'last_token_usage'],
        [5500, 5000, 300, 64, 'last_token_usage'],
        [6500, 6000, 200, 72, 'total_delta'], // no last_token_usage: change of total_token_usage
        [3000, 2500, 200, 50, 'last_token_usage'], // cache_read_input_tokens, no total_tokens
        [400, 400, 10, 0, 'last_token_usage'], // cached 900 capped at input 400
      ],
    );
    // ccusage 20.0.24 on this file: input 2500 uncached + 17900 cached, output 910, reasoning 250, total 21310.
    assert.deepEqual(r.stats.tokens, {
      input: 20400,
      cached: 17900,
      output: 910,
      reasoning: 250,
      cacheWrite: 0,
      total: 21310,
    });
    assert.deepEqual(r.stats.ignoredTokenCounts, {
      infoNull: 1,
      repeated: 2,
      zero: 1,
      superseded: 0,
      inherited: 0,
      noUsage: 0,
      foreign: 0,
    });
    assert.ok(resp.every((e) => e.model === 'gpt-5-codex' && e.responseId === undefined && !e.isFallbackModel));
    assert.deepEqual(
      resp.map((e) => e.text),
      [undefined, 'Added GET /healthz in src/routes.ts.', undefined, undefined, 'Test added in test/health.test.ts.'],
    );
    assert.deepEqual(
      ofKind(r.events, 'turn').map((t) => [t.prompt, t.turnId, t.model]),
      [
        ['add a health check endpoint', undefined, 'gpt-5-codex'],
        ['now add a test', undefined, 'gpt-5-codex'],
        ['thanks', undefined, 'gpt-5-codex'],
      ],
    );
    const [th] = ofKind(r.events, 'thread_started');
    assert.deepEqual(
      [th!.originator, th!.sandboxPolicy, th!.thread.git?.repositoryUrl, th!.thread.cliVersion],
      ['codex_cli_rs', 'workspace-write', 'git@github.com:acme/app.git', '0.46.0'],
    );
    const [tool] = ofKind(r.events, 'tool');
    assert.deepEqual(
      [tool!.callId, tool!.toolName, tool!.success, tool!.exitCode, tool!.durationMs],
      ['call_A1', 'shell', true, 0, 200],
    );
    // No ordinals: discriminators are byte offsets, stable across re-reads of an append-only file.
    assert.match(resp[0]!.discriminator, /^0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001@\d+$/);
    assert.equal(contentOf(r.content, 'rate_limits').length, 1);
    assert.equal(contentOf(r.content, 'turn_complete')[0]!.aborted, true);
  });

  it('2025-09 envelope without a model: responses flagged fallback-model (priced as gpt-5, like ccusage)', async () => {
    const r = await collectRollout(OLD_NO_MODEL, { final: true });
    const resp = ofKind(r.events, 'response');
    assert.deepEqual(
      resp.map((e) => [...tok(e), e.model, e.isFallbackModel]),
      [
        [1200, 200, 500, 0, undefined, true],
        [800, 100, 300, 0, undefined, true],
      ],
    );
    assert.equal(r.stats.fallbackModelResponses, 2);
    assert.equal(r.stats.tokens.total, 2800); // ccusage: 2800, gpt-5, isFallback
    const priced = priceUsage(resp[0]!.model, resp[0]!.tokens, 1);
    assert.deepEqual([priced.pricedModel, priced.fallback], ['gpt-5', true]);
    assert.equal(r.stats.turns, 2);
  });

  it('pre-2025-09 bare format: thread from line 1, turns from typed user messages, tools, no tokens', async () => {
    const r = await collectRollout(BARE, { final: true });
    assert.equal(r.stats.format, 'bare');
    const [th] = ofKind(r.events, 'thread_started');
    assert.equal(th!.threadId, '5973b6c0-94b8-487b-a530-2aeb6098ae0e');
    assert.equal(th!.ts, Date.parse('2025-08-12T14:02:11.518Z'));
    assert.equal(th!.thread.git?.branch, 'main');
    assert.deepEqual(
      ofKind(r.events, 'turn').map((t) => [t.prompt, t.ts]),
      [
        ['why does the build fail?', Date.parse('2025-08-12T14:02:11.518Z')],
        ['fix it', Date.parse('2025-08-12T14:02:11.518Z')],
      ],
    );
    assert.equal(r.stats.responses, 0);
    assert.deepEqual(
      ofKind(r.events, 'tool').map((t) => [t.callId, t.toolName, t.toolKind, t.success, t.exitCode, t.durationMs]),
      [
        ['call_Kq3', 'shell', 'function', false, 2, 4100],
        ['call_L1', 'local_shell', 'local_shell', true, 0, 3000],
      ],
    );
    assert.equal(contentOf(r.content, 'user_message').filter((c) => c.injected).length, 2);
    assert.equal(r.stats.skippedCount, 0);
  });

  it('old non-paginated fork: copied parent history (tokens included) is not counted again', async () => {
    const r = await collectRollout(OLD_FORK, { final: true });
    assert.deepEqual(
      ofKind(r.events, 'turn').map((t) => t.prompt),
      ['forked question', 'and?'],
    );
    assert.deepEqual(
      ofKind(r.events, 'response').map((e) => [...tok(e), e.tokenSource]),
      [
        [1200, 1100, 60, 10, 'last_token_usage'],
        [1200, 1100, 50, 10, 'total_delta'], // delta against the last copied total
      ],
    );
    assert.equal(r.stats.tokens.total, 2510); // ccusage counts 4700 here: the copied 2190 again
    assert.equal(r.stats.inheritedLines, 10);
    assert.equal(r.stats.ignoredTokenCounts.inherited, 2);
    assert.ok(contentOf(r.content, 'user_message').some((c) => c.inherited && c.text === 'hello'));
  });
});

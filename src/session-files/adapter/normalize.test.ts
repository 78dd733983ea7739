import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capUsage,
  classifyThread,
  compareVersions,
  durationToMs,
  isInjectedUserText,
  isZeroUsage,
  normalizeLine,
  parseToolOutput,
  policyLabel,
  toUsage,
  usageDelta,
  usageEquals,
} from './normalize.js';
import { SessionMetaSchema } from './schema.js';

describe('token usage helpers', () => {
  it('reads cache_read_input_tokens as cached and defaults total to input + output', () => {
    assert.deepEqual(
      toUsage({ input_tokens: 3000, cache_read_input_tokens: 2500, output_tokens: 200, reasoning_output_tokens: 50 }),
      {
        input: 3000,
        cached: 2500,
        output: 200,
        reasoning: 50,
        cacheWrite: 0,
        total: 3200,
      },
    );
    assert.equal(toUsage({}), undefined);
    assert.equal(toUsage(null), undefined);
  });
  it('subtracts totals field by field, never below zero', () => {
    const a = toUsage({
      input_tokens: 17000,
      cached_input_tokens: 15000,
      output_tokens: 700,
      reasoning_output_tokens: 200,
      total_tokens: 17700,
    })!;
    const b = toUsage({
      input_tokens: 10500,
      cached_input_tokens: 9000,
      output_tokens: 500,
      reasoning_output_tokens: 128,
      total_tokens: 11000,
    })!;
    assert.deepEqual(usageDelta(a, b), {
      input: 6500,
      cached: 6000,
      output: 200,
      reasoning: 72,
      cacheWrite: 0,
      total: 6700,
    });
    assert.deepEqual(usageDelta(b, a), { input: 0, cached: 0, output: 0, reasoning: 0, cacheWrite: 0, total: 0 });
    assert.ok(usageEquals(a, { ...a }));
  });
  it('treats the post-compaction estimate (zero counts, non-zero total) as zero', () => {
    assert.ok(
      isZeroUsage(
        toUsage({
          input_tokens: 0,
          cached_input_tokens: 0,
          output_tokens: 0,
          reasoning_output_tokens: 0,
          total_tokens: 6876,
        })!,
      ),
    );
  });
  it('caps cached at input', () => {
    assert.equal(capUsage(toUsage({ input_tokens: 400, cached_input_tokens: 900, output_tokens: 10 })!).cached, 400);
  });
  it('compares versions', () => {
    assert.ok(compareVersions('0.169.0', '0.169.0') === 0);
    assert.ok(compareVersions('0.170.1', '0.169.0') > 0);
    assert.ok(compareVersions('0.46.0', '0.169.0') < 0);
    assert.ok(compareVersions('1.0.0-alpha.3', '0.169.0') > 0);
  });
});

describe('threads', () => {
  const meta = (m: Record<string, unknown>) => SessionMetaSchema.parse({ id: 'child', ...m });
  it('classifies review sub-agents and finds the parent', () => {
    assert.deepEqual(
      classifyThread(
        meta({
          source: { subagent: 'review' },
          thread_source: 'subagent',
          parent_thread_id: 'parent',
          session_id: 'parent',
        }),
      ),
      {
        kind: 'subagent',
        parentThreadId: 'parent',
      },
    );
    // Spawned agents name their parent inside source; session_id is the fallback.
    assert.deepEqual(
      classifyThread(meta({ source: { subagent: { thread_spawn: { parent_thread_id: 'p2', depth: 1 } } } })),
      { kind: 'subagent', parentThreadId: 'p2' },
    );
    assert.deepEqual(classifyThread(meta({ source: { subagent: 'compact' }, session_id: 'p3' })), {
      kind: 'subagent',
      parentThreadId: 'p3',
    });
  });
  it('classifies title helper threads and user threads', () => {
    assert.equal(classifyThread(meta({ thread_source: 'thread_title', source: 'vscode' })).kind, 'title');
    assert.deepEqual(classifyThread(meta({ thread_source: 'user', source: 'exec', session_id: 'child' })), {
      kind: 'user',
      parentThreadId: undefined,
    });
    assert.equal(classifyThread(meta({ source: 'cli' })).kind, 'user');
  });
  it('labels sandbox policies of every era', () => {
    assert.equal(policyLabel({ type: 'read-only' }), 'read-only');
    assert.equal(policyLabel({ mode: 'workspace-write', network_access: false }), 'workspace-write');
    assert.equal(policyLabel('danger-full-access'), 'danger-full-access');
  });
});

describe('tool output', () => {
  it('parses 0.169 plain-text output', () => {
    const o = parseToolOutput(
      'Chunk ID: 1c865d\nWall time: 0.1121 seconds\nProcess exited with code 0\n' +
        'Original token count: 15\nOutput:\nhi\n',
    );
    assert.equal(o.exitCode, 0);
    assert.equal(o.durationMs, 112);
    assert.equal(o.success, true);
  });
  it('parses the older JSON-in-a-string output', () => {
    const o = parseToolOutput(JSON.stringify({ output: 'boom', metadata: { exit_code: 2, duration_seconds: 4.1 } }));
    assert.deepEqual([o.exitCode, o.durationMs, o.success], [2, 4100, false]);
  });
  it('reads structured outputs and rejected calls', () => {
    assert.equal(parseToolOutput({ content: 'ok', success: true }).success, true);
    assert.equal(parseToolOutput('unsupported call: shell_command').success, false);
    assert.equal(parseToolOutput([{ type: 'input_text', text: 'a' }]).text, 'a');
  });
  it('converts durations', () => {
    assert.equal(durationToMs({ secs: 1, nanos: 500_000_000 }), 1500);
    assert.equal(durationToMs(0.25), 250);
    assert.equal(durationToMs('250ms'), 250);
    assert.equal(durationToMs(null), undefined);
  });
});

describe('normalizeLine', () => {
  it('marks harness-injected user messages', () => {
    assert.ok(isInjectedUserText('  <environment_context>\n<cwd>/x</cwd>'));
    assert.ok(!isInjectedUserText('fix the bug'));
    const facts = normalizeLine({
      timestamp: 't',
      ordinal: 3,
      type: 'response_item',
      payload: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: '<environment_context>…' }],
        internal_chat_message_metadata_passthrough: {
          turn_id: 'T1',
          content_item_kinds: ['environments.environment_context'],
        },
      },
    }).facts;
    assert.deepEqual(
      facts.map((f) => f.f),
      ['turn_ref', 'user_text'],
    );
    assert.equal((facts[1] as { injected: boolean }).injected, true);
  });
  it('reports unknown line types and shapes without throwing', () => {
    // An unknown type is kept and counted (issue 12: never an error), not skipped.
    assert.deepEqual(
      normalizeLine({ timestamp: 't', type: 'telepathy', payload: {} }).facts.map((f) => f.f),
      ['other'],
    );
    assert.equal((normalizeLine({ timestamp: 't', type: 'telepathy', payload: {} }).facts[0] as any).unknown, true);
    const bad = normalizeLine({ timestamp: 't', type: 'token_usage_record', payload: { response_id: 'r' } }).facts[0];
    assert.deepEqual(bad, { f: 'skip', reason: 'invalid_shape', detail: 'token_usage_record without usage' });
    assert.deepEqual(normalizeLine({ hello: 'world' }).facts[0], {
      f: 'other',
      type: 'unknown',
      raw: { hello: 'world' },
      unknown: true,
    });
  });
  it('tolerates fields of unexpected types', () => {
    const n = normalizeLine({
      timestamp: 42,
      type: 'session_meta',
      payload: { id: 'abc', cwd: { weird: true }, cli_version: 7 },
    });
    assert.equal(n.ts, undefined);
    const f = n.facts[0];
    assert.ok(f?.f === 'session_meta');
    assert.equal(f.meta.id, 'abc');
    assert.equal(f.meta.cwd, undefined);
  });
});

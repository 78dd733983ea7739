import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { isDrop } from '../../core/events.js';
import type { OtlpLogRecord } from './decode.js';
import { decodeJson } from './decode.js';
import { normalizeRecord } from './normalize.js';

const rec = (attrs: Record<string, unknown>, extra: Partial<OtlpLogRecord> = {}): OtlpLogRecord => ({
  index: 0,
  resource: {},
  scope: 'codex_otel.log_only',
  timeUnixNano: '0',
  observedTimeUnixNano: '1795310770246337775',
  attrs: attrs as OtlpLogRecord['attrs'],
  ...extra,
});

it('reads the event name from attributes, time from event.timestamp, and ignores the SDK debug line', () => {
  assert.equal(normalizeRecord(rec({})), null);
  const e = normalizeRecord(
    rec({
      'event.name': 'codex.user_prompt',
      'conversation.id': 'c1',
      'event.timestamp': '2026-11-22T01:26:10.377Z',
      prompt: 'hi',
      prompt_length: '2',
    }),
  );
  assert.ok(e && !isDrop(e) && e.kind === 'turn');
  assert.equal(e.ts, Date.parse('2026-11-22T01:26:10.377Z'));
  assert.equal(e.promptLength, 2);
});

it('falls back to observedTimeUnixNano when event.timestamp is missing (timeUnixNano is always 0)', () => {
  const e = normalizeRecord(rec({ 'event.name': 'codex.user_prompt', 'conversation.id': 'c1' }));
  assert.ok(e && !isDrop(e));
  assert.equal(e.ts, 1795310770246);
});

it('takes tokens only from the response.completed record that carries them, with mixed attribute types', () => {
  assert.equal(
    normalizeRecord(
      rec({ 'event.name': 'codex.sse_event', 'event.kind': 'response.completed', 'conversation.id': 'c1' }),
    ),
    null,
  );
  assert.equal(
    normalizeRecord(
      rec({ 'event.name': 'codex.sse_event', 'event.kind': 'response.output_text.delta', 'conversation.id': 'c1' }),
    ),
    null,
  );
  const e = normalizeRecord(
    rec({
      'event.name': 'codex.sse_event',
      'event.kind': 'response.completed',
      'conversation.id': 'c1',
      input_token_count: '2000',
      output_token_count: '40',
      cached_token_count: 1500,
      reasoning_token_count: '10',
    }),
  );
  assert.ok(e && !isDrop(e) && e.kind === 'response');
  assert.deepEqual(e.tokens, { input: 2000, cached: 1500, output: 40, reasoning: 10 });
});

it('drops with a reason: bad token counts, missing conversation id', () => {
  const bad = normalizeRecord(
    rec({
      'event.name': 'codex.sse_event',
      'event.kind': 'response.completed',
      'conversation.id': 'c1',
      input_token_count: '-5',
      output_token_count: '1',
    }),
  );
  assert.ok(isDrop(bad) && bad.reason === 'invalid_attribute');
  const noConv = normalizeRecord(rec({ 'event.name': 'codex.user_prompt' }));
  assert.ok(isDrop(noConv) && noConv.reason === 'missing_conversation_id');
});

// Found by the long fuzz run (BENCHMARKS.md "Long runs", seed 20261208): an observation whose
// conversation.id an edit removed normalized with threadId ''. Decisions/0046: dropped, as facts are.
it('drops an observation without a conversation id; a thread-less /models request stays noise', () => {
  for (const name of [
    'codex.skill_invocation',
    'codex.guardian_assessment',
    'codex.agent_response',
    'codex.new_thing',
  ]) {
    const e = normalizeRecord(rec({ 'event.name': name, 'event.timestamp': '2026-11-22T01:26:10.377Z' }));
    assert.ok(isDrop(e) && e.reason === 'missing_conversation_id', `${name}: ${JSON.stringify(e)}`);
    const kept = normalizeRecord(rec({ 'event.name': name, 'conversation.id': 'c1' }));
    assert.ok(kept && !isDrop(kept) && kept.kind === 'observation' && kept.threadId === 'c1', name);
  }
  // What Codex 0.169 sends without a conversation id (test/fixtures/otlp/auth-chatgpt.otel-logs.json).
  const fixture = JSON.parse(
    fs.readFileSync(new URL('../../../test/fixtures/otlp/auth-chatgpt.otel-logs.json', import.meta.url), 'utf8'),
  );
  const threadless: Record<string, unknown>[] = [];
  for (const rl of fixture.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords) {
        const attrs = Object.fromEntries(r.attributes.map((kv: any) => [kv.key, Object.values(kv.value)[0]]));
        if (String(attrs['event.name']).startsWith('codex.') && attrs['conversation.id'] === undefined)
          threadless.push(attrs);
      }
  assert.deepEqual(
    threadless.map((a) => [a['event.name'], a['endpoint']]),
    [['codex.api_request', '/models']],
  );
  assert.equal(normalizeRecord(rec(threadless[0]!)), null);
});

it('classifies the TUI title-generation prompt as a hidden thread', () => {
  const e = normalizeRecord(
    rec({
      'event.name': 'codex.user_prompt',
      'conversation.id': 'c2',
      prompt: 'Generate a concise, single-line task title of at most 36 characters',
    }),
  );
  assert.ok(e && !isDrop(e) && e.kind === 'turn' && e.threadKind === 'title');
});

it('reports a non-object record by index and keeps the others', () => {
  const prompt = { attributes: [{ key: 'event.name', value: { stringValue: 'codex.user_prompt' } }] };
  const body = Buffer.from(
    JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [prompt, 'junk', { attributes: 'nope' }, { attributes: [] }] }] }],
    }),
  );
  const d = decodeJson(body);
  assert.equal(d.records.length, 1);
  assert.equal(d.noise, 1); // the record without an event name: valid, carries nothing
  assert.deepEqual(
    d.invalid.map((i) => i.index),
    [1, 2],
  );
});

it('reports a record whose time fields are not fixed64 by index (found by the long fuzz run, seed 20261604)', () => {
  const prompt = (time: Record<string, unknown>) => ({
    ...time,
    attributes: [{ key: 'event.name', value: { stringValue: 'codex.user_prompt' } }],
  });
  const body = Buffer.from(
    JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                prompt({ observedTimeUnixNano: 'a\u0000b' }),
                prompt({ timeUnixNano: '1'.repeat(21) }),
                prompt({ timeUnixNano: String(2n ** 64n) }),
                prompt({ observedTimeUnixNano: '18446744073709551615', timeUnixNano: 1795310770246337800 }),
                prompt({}),
              ],
            },
          ],
        },
      ],
    }),
  );
  const d = decodeJson(body);
  assert.deepEqual(
    d.invalid.map((i) => [i.index, i.reason.split(' ')[0]]),
    [
      [0, 'observedTimeUnixNano'],
      [1, 'timeUnixNano'],
      [2, 'timeUnixNano'],
    ],
  );
  assert.deepEqual(
    d.records.map((r) => [r.timeUnixNano, r.observedTimeUnixNano]),
    [
      ['1795310770246337800', '18446744073709551615'],
      ['0', '0'],
    ],
  );
});

it('decodes the real protobuf capture to the same records as its JSON rendering', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { decodeProtobuf } = await import('./decode.js');
  const dir = path.join(
    import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
    '..',
    '..',
    '..',
    'test',
    'fixtures',
    'otlp',
  );
  const pb = decodeProtobuf(fs.readFileSync(path.join(dir, 'exec-binary.otel-logs.pb')));
  const js = decodeJson(fs.readFileSync(path.join(dir, 'exec-binary.otel-logs.decoded.json')));
  assert.equal(pb.records.length, js.records.length);
  assert.ok(pb.records.length > 5);
  assert.equal(pb.noise, js.noise);
  assert.ok(pb.noise > 10, 'startup phases and SSE deltas are counted, not materialised');
  for (let i = 0; i < pb.records.length; i++) {
    assert.deepEqual(pb.records[i].attrs, js.records[i].attrs);
    assert.deepEqual(pb.records[i].resource, js.records[i].resource);
    assert.equal(pb.records[i].observedTimeUnixNano, js.records[i].observedTimeUnixNano);
  }
});

it('never crashes on truncated or corrupted protobuf: a clean error or a decode', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { decodeProtobuf } = await import('./decode.js');
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'test', 'fixtures', 'otlp');
  const pb = fs.readFileSync(path.join(dir, 'exec-binary.otel-logs.pb'));
  let errors = 0;
  for (let cut = 1; cut < pb.length; cut += 97) {
    try {
      decodeProtobuf(pb.subarray(0, cut));
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'malformed_body');
      errors++;
    }
  }
  for (let i = 0; i < 200; i++) {
    const bad = Buffer.from(pb);
    bad[(i * 7919) % bad.length] ^= 0xff;
    try {
      decodeProtobuf(bad);
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'malformed_body');
    }
  }
  assert.ok(errors > 0);
});

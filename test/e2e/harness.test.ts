// Proves the e2e harness itself: the real Codex CLI talks to our mock model and
// exports OTLP logs to a plain sink. If this fails, Steward's e2e tests can't be
// trusted, so it checks the harness's ground truth (mock-recorded usage) against
// what Codex actually exported.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startMockModel, type MockModel, type MockUsage } from './support/mock-model.js';
import { startOtlpSink, flattenOtlpJsonLogs, type OtlpSink, type FlatLogRecord } from './support/otlp-sink.js';
import {
  makeCodexHome,
  runCodex,
  execArgs,
  listRollouts,
  CODEX_JS,
  type CodexHome,
  type CodexRun,
} from './support/codex.js';

const skip = existsSync(CODEX_JS) ? false : 'codex CLI not installed (npm i)';

function assertOk(run: CodexRun) {
  assert.equal(run.timedOut, false, `codex timed out\n${run.stderr}`);
  assert.equal(run.code, 0, `codex exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

function jsonRecords(sink: OtlpSink): FlatLogRecord[] {
  return sink.logs().flatMap((r) => flattenOtlpJsonLogs(r.body));
}

// Codex emits two `response.completed` sse_events per response; only the second carries tokens.
function tokenRecords(recs: FlatLogRecord[]): FlatLogRecord[] {
  return recs.filter(
    (r) =>
      r.eventName === 'codex.sse_event' &&
      r.attrs['event.kind'] === 'response.completed' &&
      'input_token_count' in r.attrs,
  );
}

// Attribute types are inconsistent on the wire (string vs int), so compare as numbers.
function usageOf(r: FlatLogRecord): MockUsage {
  return {
    input_tokens: Number(r.attrs['input_token_count']),
    cached_input_tokens: Number(r.attrs['cached_token_count']),
    output_tokens: Number(r.attrs['output_token_count']),
    reasoning_tokens: Number(r.attrs['reasoning_token_count']),
  };
}

describe('e2e harness: real codex CLI against the mock model', { skip }, () => {
  let mock: MockModel;
  let sink: OtlpSink;
  let home: CodexHome;
  let threadId: string;
  const homes: CodexHome[] = [];

  before(async () => {
    mock = await startMockModel();
    sink = await startOtlpSink();
    home = await makeCodexHome({
      mockUrl: mock.url,
      otel: { endpoint: sink.logsUrl, protocol: 'json', headers: { 'x-e2e-tenant': 'acme' } },
    });
    homes.push(home);
  });

  after(async () => {
    await mock?.close();
    await sink?.close();
    for (const h of homes) await h.cleanup();
  });

  it('runs a tool-calling turn and exports the usage the mock returned', async () => {
    const scripted: MockUsage[] = [
      { input_tokens: 1234, cached_input_tokens: 1000, output_tokens: 56, reasoning_tokens: 7 },
      { input_tokens: 1400, cached_input_tokens: 1200, output_tokens: 34, reasoning_tokens: 0 },
    ];
    mock.setUsage(scripted);
    const prompt = 'run echo hi in the shell';
    const run = await runCodex(home, execArgs(home, prompt));
    assertOk(run);

    // Ground truth: what the mock streamed back.
    assert.deepEqual(
      mock.responses.map((r) => r.kind),
      ['tool_call', 'message'],
    );
    assert.equal(mock.responses[0].toolName, 'exec_command');
    assert.deepEqual(
      mock.responses.map((r) => r.usage),
      scripted,
    );
    assert.equal(new Set(mock.responses.map((r) => r.responseId)).size, 2, 'response ids are unique');
    assert.ok(mock.responses.every((r) => r.model === 'gpt-5.5'));
    threadId = mock.responses[0].threadId!;
    assert.match(threadId, /^[0-9a-f-]{36}$/);
    assert.equal(mock.responses[1].threadId, threadId);
    assert.equal(mock.totals().input_tokens, 2634);

    // `codex exec` flushes logs once at exit; allow the POST to land.
    await sink.waitFor(() => sink.logs().length > 0);
    for (const req of sink.logs()) {
      assert.match(req.contentType, /^application\/json/);
      assert.equal(req.headers['x-e2e-tenant'], 'acme', 'configured exporter headers are sent');
    }
    const recs = jsonRecords(sink);
    const prompts = recs.filter((r) => r.eventName === 'codex.user_prompt');
    assert.equal(prompts.length, 1);
    assert.equal(prompts[0].attrs['prompt'], prompt);
    assert.equal(prompts[0].attrs['conversation.id'], threadId);

    const exported = tokenRecords(recs);
    assert.deepEqual(exported.map(usageOf), scripted);
    assert.ok(exported.every((r) => r.attrs['conversation.id'] === threadId && r.attrs['model'] === 'gpt-5.5'));
    assert.match(run.stdout, /Done: the command printed hi\./);

    const rollouts = await listRollouts(home);
    assert.equal(rollouts.length, 1);
    assert.ok(rollouts[0].includes(threadId), 'rollout file is named after the thread');
  });

  it('resumes the same thread with `exec resume --last`', async () => {
    assert.ok(threadId, 'needs the previous test');
    const before = mock.responses.length;
    sink.clear();
    // A usage function instead of a queue: derive numbers from the context.
    mock.setUsage((ctx) => ({
      input_tokens: 3000 + ctx.index,
      cached_input_tokens: 2500,
      output_tokens: 20,
      reasoning_tokens: 3,
    }));
    const run = await runCodex(home, execArgs(home, 'second turn, no tools please', { resumeLast: true }));
    assertOk(run);

    const fresh = mock.responses.slice(before);
    assert.deepEqual(
      fresh.map((r) => r.kind),
      ['message'],
    );
    assert.equal(fresh[0].threadId, threadId);
    assert.deepEqual(fresh[0].usage, {
      input_tokens: 3000 + before,
      cached_input_tokens: 2500,
      output_tokens: 20,
      reasoning_tokens: 3,
    });

    await sink.waitFor(() => sink.logs().length > 0);
    const recs = jsonRecords(sink);
    const starts = recs.filter((r) => r.eventName === 'codex.conversation_starts');
    assert.ok(starts.length >= 1);
    assert.ok(
      starts.every((r) => r.attrs['conversation.id'] === threadId),
      'resume keeps conversation.id',
    );
    assert.deepEqual(tokenRecords(recs).map(usageOf), [fresh[0].usage]);
    // Resume appends to the same rollout file.
    assert.equal((await listRollouts(home)).length, 1);
  });

  it('exports protobuf when protocol = "binary"', async () => {
    const binSink = await startOtlpSink();
    try {
      const binHome = await makeCodexHome({
        mockUrl: mock.url,
        otel: { endpoint: binSink.logsUrl, protocol: 'binary' },
      });
      homes.push(binHome);
      mock.setUsage(undefined);
      const run = await runCodex(binHome, execArgs(binHome, 'say hello, no tools'));
      assertOk(run);
      await binSink.waitFor(() => binSink.logs().length > 0);
      for (const req of binSink.logs()) {
        assert.equal(req.contentType, 'application/x-protobuf');
        // Protobuf keeps strings verbatim, so a cheap check that the records are in there.
        assert.ok(req.body.includes('codex.user_prompt'));
      }
    } finally {
      await binSink.close();
    }
  });
});

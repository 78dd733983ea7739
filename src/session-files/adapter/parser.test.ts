// Ground truth: the real 0.169 captures in test/fixtures/rollouts/0.169 (copied from the shared
// capture set) and older-format files written from the format description in
// test/fixtures/rollouts/older (see the README there). Token numbers were checked by reading the
// files and, where it applies, against ccusage 20.0.24.
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { priceUsage } from '../../core/pricing.js';
import { collectRollout, findRolloutFiles, iterateRollout, type ReadOptions, type RolloutContent, type RolloutEvent } from './parser.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/rollouts');
const f169 = (p: string) => path.join(FIX, '0.169', p);
const older = (p: string) => path.join(FIX, 'older', p);

const EXEC = f169('exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl');
const COMPACTION = f169('compaction/rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl');
const REVIEW_PARENT = f169('review/rollout-2026-11-22T01-34-29-01a200e3-f57c-7640-a8da-9923b134aba3.jsonl');
const REVIEW_CHILD = f169('review/rollout-2026-11-22T01-34-29-01a200e3-f5cc-76f3-8b34-3e18d7a7e462.jsonl');
const FORK_PARENT = f169('fork/rollout-2026-11-22T01-31-43-01a200e1-6ef5-78f1-af6d-22ae203e44f2.jsonl');
const FORK = f169('fork/rollout-2026-11-22T01-35-09-01a200e4-9489-7470-aa01-cac390a6f6fb.jsonl');
const TUI_GZ = f169('tui/rollout-2026-11-22T01-33-45-01a200e3-49f9-76d3-b635-cbe36ffb88db.jsonl.gz');
const OLD_ENVELOPE = older('rollout-2025-10-14T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001.jsonl');
const OLD_NO_MODEL = older('rollout-2025-09-15T13-00-00-0199a0f3-11aa-7c3b-8d2e-5f6a7b8c9d01.jsonl');
const BARE = older('rollout-2025-08-12T14-02-11-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl');
const OLD_FORK = older('rollout-2025-11-03T10-00-00-019a4b10-2c3d-7e4f-8a9b-0c1d2e3f4a5b.jsonl');

type Ev<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;
const ofKind = <K extends RolloutEvent['kind']>(events: RolloutEvent[], k: K) => events.filter((e): e is Ev<K> => e.kind === k);
const tok = (e: Ev<'response'>) => [e.tokens.input, e.tokens.cached, e.tokens.output, e.tokens.reasoning];
const contentOf = <K extends RolloutContent['kind']>(c: RolloutContent[], k: K) => c.filter((x): x is Extract<RolloutContent, { kind: K }> => x.kind === k);

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'steward-rollout-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});
let n = 0;
const tmpFile = (name = 'rollout-2026-01-01T00-00-00-0199ffff-0000-7000-8000-000000000001.jsonl') => path.join(tmp, `${n++}`, name);
async function writeTmp(content: string | Buffer, name?: string): Promise<string> {
  const p = tmpFile(name);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, content);
  return p;
}
const readLines = async (p: string) => (await readFile(p, 'utf8')).split('\n').filter((l) => l !== '');

describe('0.169 rollouts (real captures)', () => {
  it('exec + resume: one thread, two turns appended to one file, three responses from token_usage_record', async () => {
    const r = await collectRollout(EXEC, { final: true });
    const threads = ofKind(r.events, 'thread_started');
    assert.equal(threads.length, 1);
    const th = threads[0]!;
    assert.equal(th.threadId, '01a200dc-5835-7763-b92a-e0134f63f937');
    assert.equal(th.threadKind, 'user');
    assert.equal(th.originator, 'codex_exec');
    assert.equal(th.model, 'gpt-5.5');
    assert.equal(th.approvalPolicy, 'never');
    assert.equal(th.sandboxPolicy, 'read-only');
    assert.equal(th.provider, 'mock');
    assert.equal(th.key, '');
    assert.equal(th.discriminator, '01a200dc-5835-7763-b92a-e0134f63f937:0');
    assert.deepEqual(
      [th.thread.cliVersion, th.thread.cwd, th.thread.source, th.thread.threadSource, th.thread.git?.commitHash, th.thread.git?.branch],
      ['0.169.0', '/home/dev/sample-app/work', 'exec', 'user', '856907fb813fb5caac9d5005740cc4fc2ece651b', 'master'],
    );

    const turns = ofKind(r.events, 'turn');
    assert.deepEqual(
      turns.map((t) => [t.turnId, t.prompt, t.model, t.threadKind, t.discriminator]),
      [
        ['01a200dc-5854-7142-b945-bb2dcb77bdc3', 'run echo hi in the shell', 'gpt-5.5', 'user', '01a200dc-5835-7763-b92a-e0134f63f937:1'],
        ['01a200dc-bdb1-7871-932e-f66b42907965', 'now say goodbye, no tools', 'gpt-5.5', 'user', '01a200dc-5835-7763-b92a-e0134f63f937:20'],
      ],
    );
    assert.equal(turns[0]!.ts, Date.parse('2026-11-22T01:26:10.296Z'));

    const resp = ofKind(r.events, 'response');
    assert.deepEqual(
      resp.map((e) => [e.responseId, e.turnId, ...tok(e), e.model, e.tokenSource]),
      [
        ['resp_2', '01a200dc-5854-7142-b945-bb2dcb77bdc3', 2000, 1500, 40, 10, 'gpt-5.5', 'token_usage_record'],
        ['resp_3', '01a200dc-5854-7142-b945-bb2dcb77bdc3', 2100, 2000, 30, 5, 'gpt-5.5', 'token_usage_record'],
        ['resp_8', '01a200dc-bdb1-7871-932e-f66b42907965', 2100, 2000, 30, 5, 'gpt-5.5', 'token_usage_record'],
      ],
    );
    assert.deepEqual(r.stats.tokens, { input: 6200, cached: 5500, output: 100, reasoning: 20, cacheWrite: 0, total: 6300 });
    // The reply text written just before a response's usage record (none for the tool-call step).
    assert.deepEqual(
      resp.map((e) => e.text),
      [undefined, 'Done: the command printed hi.', 'Done: the command printed hi.'],
    );
    // `codex exec` printed "tokens used 800" = Σ (input − cached + output) over the thread.
    assert.equal(
      resp.reduce((s, e) => s + e.tokens.input - e.tokens.cached + e.tokens.output, 0),
      800,
    );
    assert.equal(r.stats.ignoredTokenCounts.superseded, 3); // every token_count line: never counted in 0.169 files

    const [tool] = ofKind(r.events, 'tool');
    assert.equal(ofKind(r.events, 'tool').length, 1);
    assert.deepEqual(
      [tool!.callId, tool!.toolName, tool!.arguments, tool!.success, tool!.exitCode, tool!.durationMs, tool!.durationSource, tool!.turnId],
      ['call_resp_2', 'exec_command', '{"cmd":"echo hi"}', true, 0, 112, 'exec', '01a200dc-5854-7142-b945-bb2dcb77bdc3'],
    );
    assert.match(tool!.output ?? '', /Process exited with code 0/);

    assert.equal(r.stats.format, 'v0169');
    assert.equal(r.stats.lines, 29);
    assert.equal(r.stats.endOffset, 20486);
    assert.equal(r.stats.skippedCount, 0);
    assert.equal(r.checkpoint.offset, 20486);
    for (const e of r.events) assert.equal(e.key, '');
    // Every discriminator is unique: (thread id, ordinal).
    assert.equal(new Set(r.events.map((e) => e.discriminator)).size, r.events.length);
  });

  it('exec + resume: content records keep prompts, assistant messages, tool details and turn context', async () => {
    const { content } = await collectRollout(EXEC, { final: true });
    const prompts = contentOf(content, 'user_message').filter((c) => c.canonical);
    assert.deepEqual(
      prompts.map((c) => c.text),
      ['run echo hi in the shell', 'now say goodbye, no tools'],
    );
    const injected = contentOf(content, 'user_message').filter((c) => c.injected);
    assert.equal(injected.length, 1);
    assert.match(injected[0]!.text, /^<environment_context>/);
    assert.deepEqual(
      contentOf(content, 'assistant_message')
        .filter((c) => c.canonical)
        .map((c) => c.text),
      ['Done: the command printed hi.', 'Done: the command printed hi.'],
    );
    const ctx = contentOf(content, 'turn_context');
    assert.deepEqual(
      ctx.map((c) => [c.turnId, c.model, c.approvalPolicy, c.sandboxPolicy, c.cwd]),
      [
        ['01a200dc-5854-7142-b945-bb2dcb77bdc3', 'gpt-5.5', 'never', 'read-only', '/home/dev/sample-app/work'],
        ['01a200dc-bdb1-7871-932e-f66b42907965', 'gpt-5.5', 'never', 'read-only', '/home/dev/sample-app/work'],
      ],
    );
    const [tool] = contentOf(content, 'tool_call');
    assert.deepEqual(tool!.command, ['/bin/bash', '-lc', 'echo hi']);
    assert.equal(tool!.aggregatedOutput, "pyenv: cannot rehash: /usr/local/dev/bin isn't writable\nhi\n");
    const [session] = contentOf(content, 'session');
    assert.equal(session!.thread.originator, 'codex_exec');
    assert.equal((session!.raw.base_instructions as { text: string }).text, '<stripped: 21727 chars of base instructions>');
    assert.ok(contentOf(content, 'developer_message').length === 1, 'developer instructions are kept');
    assert.ok(
      content.every((c) => c.threadId === '01a200dc-5835-7763-b92a-e0134f63f937' && c.discriminator.startsWith(c.threadId)),
      'every content record names its thread and line',
    );
  });

  it('compaction: 6390 tokens, no double count of the repeated and the zero-delta token_count', async () => {
    const r = await collectRollout(COMPACTION, { final: true });
    const resp = ofKind(r.events, 'response');
    assert.deepEqual(
      resp.map((e) => e.responseId),
      ['resp_2', 'resp_7', 'resp_9'],
    );
    assert.equal(r.stats.tokens.total, 6390); // ccusage 20.0.24 agrees
    assert.deepEqual(r.stats.tokens, { input: 6300, cached: 6000, output: 90, reasoning: 15, cacheWrite: 0, total: 6390 });
    // resp_7 is the compaction call itself: written before the turn's prompt, priced with the current model.
    assert.equal(resp[1]!.model, 'gpt-5.5');
    assert.equal(resp[1]!.turnId, '01a200e2-e1ad-7cd3-94d7-901321d6d14c');
    const turns = ofKind(r.events, 'turn');
    assert.deepEqual(
      turns.map((t) => t.prompt),
      ['compaction test turn one', 'compaction test turn two'],
    );
    const [compaction] = contentOf(r.content, 'compaction');
    assert.match(compaction!.message ?? '', /Done: the command printed hi\.$/);
    assert.equal(compaction!.replacementHistoryItems, 4);
    // 0.169 embeds a copy of the compaction call's token_usage_record in the compacted line: not counted again.
    assert.equal(compaction!.compactionResponseId, 'resp_7');
  });

  it('the token_count path alone (no token_usage_record, pre-0.169 version) reaches the same totals', async () => {
    // Drop the token_usage_record lines and claim an older version: counting falls back to
    // token_count, which must skip the repeated totals (ordinal 16) and the zero-delta estimate
    // (ordinal 24).
    for (const [file, total, responses] of [
      [COMPACTION, 6390, 3],
      [EXEC, 6300, 3],
      [FORK, 2130, 1],
    ] as const) {
      const lines = (await readLines(file)).filter((l) => !l.includes('"type": "token_usage_record"')).map((l) => l.replace('"cli_version": "0.169.0"', '"cli_version": "0.160.0"'));
      const p = await writeTmp(lines.join('\n') + '\n', path.basename(file));
      const r = await collectRollout(p, { final: true });
      assert.equal(r.stats.tokens.total, total, file);
      assert.equal(r.stats.responses, responses, file);
      assert.ok(ofKind(r.events, 'response').every((e) => e.tokenSource === 'last_token_usage'));
    }
  });

  it('review: the parent has the user turn and no tokens; the child tokens roll up to the parent thread', async () => {
    const parentId = '01a200e3-f57c-7640-a8da-9923b134aba3';
    const childId = '01a200e3-f5cc-76f3-8b34-3e18d7a7e462';
    const parent = await collectRollout(REVIEW_PARENT, { final: true });
    const child = await collectRollout(REVIEW_CHILD, { final: true });

    assert.equal(parent.stats.responses, 0);
    const pturns = ofKind(parent.events, 'turn');
    // The parent mirrors the child's task_started (parent_turn_id = the review turn): not a parent turn.
    assert.deepEqual(
      pturns.map((t) => [t.threadId, t.turnId, t.threadKind, t.model]),
      [[parentId, '01a200e3-f594-7e81-a26e-33775d60db0e', 'user', 'gpt-5.5']],
    );
    const mirrored = contentOf(parent.content, 'user_message').find((c) => c.foreignThreadId === childId);
    assert.ok(mirrored && !mirrored.canonical, 'the child prompt mirrored in the parent is kept, marked as another thread');
    assert.ok(contentOf(parent.content, 'turn_started').some((c) => c.subagentMirror));
    const exited = contentOf(parent.content, 'review').find((c) => c.phase === 'exited');
    assert.equal((exited!.raw as { review_output: { overall_correctness: string } }).review_output.overall_correctness, 'patch is incorrect');

    const [cth] = ofKind(child.events, 'thread_started');
    assert.deepEqual([cth!.threadId, cth!.threadKind, cth!.parentThreadId, cth!.thread.source], [childId, 'subagent', parentId, 'subagent:review']);
    const cresp = ofKind(child.events, 'response');
    assert.deepEqual(
      cresp.map((e) => [e.threadId, e.childThreadId, e.sourceThreadId, e.responseId, ...tok(e)]),
      [[parentId, childId, childId, 'resp_2', 3000, 0, 120, 40]],
    );
    const cturns = ofKind(child.events, 'turn');
    assert.deepEqual(
      cturns.map((t) => [t.threadId, t.threadKind, t.childThreadId, t.parentTurnId]),
      [[parentId, 'subagent', childId, '01a200e3-f594-7e81-a26e-33775d60db0e']],
    );
    // Discriminators stay per file (child thread id + ordinal), so they never collide with the parent's.
    assert.ok(cresp[0]!.discriminator.startsWith(childId));

    const byThread = new Map<string, number>();
    for (const e of [...ofKind(parent.events, 'response'), ...cresp]) byThread.set(e.threadId, (byThread.get(e.threadId) ?? 0) + e.tokens.input + e.tokens.output);
    assert.deepEqual([...byThread], [[parentId, 3120]]);

    const own = await collectRollout(REVIEW_CHILD, { final: true, attributeSubagentsToParent: false });
    assert.equal(ofKind(own.events, 'response')[0]!.threadId, childId);
  });

  it('fork (paginated): only the fork’s new response counts, though its running total starts at the parent’s', async () => {
    const fork = await collectRollout(FORK, { final: true });
    const parent = await collectRollout(FORK_PARENT, { final: true });
    const [th] = ofKind(fork.events, 'thread_started');
    assert.equal(th!.thread.forkedFromId, '01a200e1-6ef5-78f1-af6d-22ae203e44f2');
    assert.equal(th!.thread.historyBase?.endOrdinalExclusive, 19);
    assert.equal(th!.discriminator, '01a200e4-9489-7470-aa01-cac390a6f6fb:19');
    assert.deepEqual(
      ofKind(fork.events, 'response').map((e) => [e.responseId, ...tok(e)]),
      [['resp_28', 2100, 2000, 30, 5]],
    );
    assert.equal(fork.stats.tokens.total, 2130);
    assert.equal(parent.stats.tokens.total, 4170);
    // The fork's own token_count says 6300 = 4170 inherited + 2130 new.
    assert.equal(parent.stats.tokens.total + fork.stats.tokens.total, 6300);
    assert.deepEqual(
      ofKind(fork.events, 'turn').map((t) => t.prompt),
      ['forked turn: no tools please'],
    );
  });

  it('TUI (.jsonl.gz): model from turn_context (not config), originator codex-tui, rejected tool call', async () => {
    const r = await collectRollout(TUI_GZ, { final: true });
    const [th] = ofKind(r.events, 'thread_started');
    assert.deepEqual([th!.originator, th!.thread.source, th!.model, th!.approvalPolicy, th!.sandboxPolicy], ['codex-tui', 'vscode', 'gpt-6-sol', 'on-request', 'workspace-write']);
    assert.deepEqual(
      ofKind(r.events, 'response').map((e) => e.model),
      ['gpt-6-sol', 'gpt-6-sol'],
    );
    assert.equal(r.stats.tokens.total, 4170);
    const [tool] = ofKind(r.events, 'tool');
    assert.deepEqual([tool!.toolName, tool!.success, tool!.output], ['shell_command', false, 'unsupported call: shell_command']);
    assert.equal(r.stats.lines, 22);
    assert.equal(r.checkpoint.offset, 47281); // decompressed bytes
  });

  it('deduplicates token_usage_record on response_id', async () => {
    const lines = await readLines(EXEC);
    const rec = lines.find((l) => l.includes('"response_id": "resp_3"'))!;
    const p = await writeTmp([...lines, rec.replace('"ordinal": 16', '"ordinal": 29')].join('\n') + '\n', path.basename(EXEC));
    const r = await collectRollout(p, { final: true });
    assert.equal(r.stats.responses, 3);
    assert.equal(r.stats.duplicateResponses, 1);
    assert.equal(r.stats.tokens.total, 6300);
  });

  it('a thread_title helper thread is not a user thread', async () => {
    const id = '01a200e3-4a50-7000-8000-00000000t1t1';
    const parentId = '01a200e3-49f9-76d3-b635-cbe36ffb88db';
    const L = [
      { timestamp: '2026-11-22T01:33:45.450Z', ordinal: 0, type: 'session_meta', payload: { id, session_id: parentId, originator: 'codex-tui', cli_version: '0.169.0', source: 'vscode', thread_source: 'thread_title', parent_thread_id: parentId } },
      { timestamp: '2026-11-22T01:33:45.451Z', ordinal: 1, type: 'event_msg', payload: { type: 'task_started', turn_id: 'tt1' } },
      { timestamp: '2026-11-22T01:33:45.452Z', ordinal: 2, type: 'turn_context', payload: { turn_id: 'tt1', model: 'gpt-5.5' } },
      { timestamp: '2026-11-22T01:33:45.453Z', ordinal: 3, type: 'event_msg', payload: { type: 'item_completed', thread_id: id, turn_id: 'tt1', item: { type: 'UserMessage', id: 'u', content: [{ type: 'text', text: 'Generate a concise, single-line task title for: tui run' }] } } },
      { timestamp: '2026-11-22T01:33:45.600Z', ordinal: 4, type: 'token_usage_record', payload: { thread_id: id, turn_id: 'tt1', response_id: 'resp_t', usage: { input_tokens: 300, cached_input_tokens: 0, output_tokens: 12, reasoning_output_tokens: 0, total_tokens: 312 } } },
      { timestamp: '2026-11-22T01:33:45.601Z', ordinal: 5, type: 'event_msg', payload: { type: 'task_complete', turn_id: 'tt1' } },
    ];
    const p = await writeTmp(L.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await collectRollout(p, { final: true });
    const [th] = ofKind(r.events, 'thread_started');
    assert.deepEqual([th!.threadId, th!.threadKind, th!.parentThreadId], [id, 'title', parentId]);
    const [turn] = ofKind(r.events, 'turn');
    assert.deepEqual([turn!.threadKind, turn!.threadId], ['title', parentId]);
    const [resp] = ofKind(r.events, 'response');
    assert.deepEqual([resp!.threadId, resp!.childThreadId, resp!.tokens.input], [parentId, id, 300]);
  });
});

describe('older formats (written from the spec)', () => {
  it('2025-10 envelope: token_count with info:null, repeated totals, totals-only delta, zero delta, cache_read_input_tokens, cached > input', async () => {
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
    assert.deepEqual(r.stats.tokens, { input: 20400, cached: 17900, output: 910, reasoning: 250, cacheWrite: 0, total: 21310 });
    assert.deepEqual(r.stats.ignoredTokenCounts, { infoNull: 1, repeated: 2, zero: 1, superseded: 0, inherited: 0, noUsage: 0, foreign: 0 });
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
    assert.deepEqual([th!.originator, th!.sandboxPolicy, th!.thread.git?.repositoryUrl, th!.thread.cliVersion], ['codex_cli_rs', 'workspace-write', 'git@github.com:acme/app.git', '0.46.0']);
    const [tool] = ofKind(r.events, 'tool');
    assert.deepEqual([tool!.callId, tool!.toolName, tool!.success, tool!.exitCode, tool!.durationMs], ['call_A1', 'shell', true, 0, 200]);
    // No ordinals: discriminators are byte offsets, stable across re-reads of an append-only file.
    assert.match(resp[0]!.discriminator, /^0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001@\d+$/);
    assert.equal(contentOf(r.content, 'rate_limits').length, 1);
    assert.equal(contentOf(r.content, 'turn_complete')[0]!.aborted, true);
  });

  it('2025-09 envelope without any model: responses are flagged as fallback-model (priced as gpt-5, like ccusage)', async () => {
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

describe('bad input and files being written', () => {
  it('reports junk lines with line numbers and reasons and still counts everything else', async () => {
    const lines = await readLines(EXEC);
    const glued = lines[8]!.slice(0, 60) + lines[8]!; // a record cut short, then the whole record again
    const junk: (string | Buffer)[] = [
      ...lines.slice(0, 5),
      lines[5]!.slice(0, 100), // line 6: truncated JSON
      'this is not json', // line 7: garbage
      Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x80, 0x7b]), // line 8: binary junk
      JSON.stringify({ timestamp: '2026-11-22T01:26:10.370Z', ordinal: 99, type: 'telepathy', payload: {} }), // line 9: unknown type
      '', // line 10: blank
      ...lines.slice(5, 8),
      glued, // line 14
      ...lines.slice(9),
    ];
    const buf = Buffer.concat(junk.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
    const p = await writeTmp(buf, path.basename(EXEC));
    const r = await collectRollout(p, { final: true });
    assert.deepEqual(
      r.stats.skipped.map((s) => [s.line, s.reason, s.recovered ?? false]),
      [
        [6, 'truncated_json', false],
        [7, 'garbage', false],
        [8, 'binary', false],
        [9, 'unknown_type', false],
        [14, 'truncated_json', true],
      ],
    );
    assert.equal(r.stats.blankLines, 1);
    assert.equal(r.stats.skippedCount, 5);
    assert.deepEqual(r.stats.skippedByReason, { truncated_json: 2, garbage: 1, binary: 1, unknown_type: 1 });
    assert.equal(r.stats.tokens.total, 6300);
    assert.equal(r.stats.turns, 2);
    assert.equal(ofKind(r.events, 'tool').length, 1);
    assert.equal(r.stats.lines, lines.length + 5);
    assert.equal(r.checkpoint.offset, buf.length);
    const unknown = contentOf(r.content, 'other').find((c) => c.type === 'telepathy');
    assert.ok(unknown, 'an unknown line type is reported and still kept as content');
  });

  it('leaves a partial last line unread, reports its offset, and reads it once completed', async () => {
    const full = await readFile(EXEC);
    const whole = await collectRollout(EXEC, { final: true });
    const lines = (await readLines(EXEC)).map((l) => l + '\n');
    const lineStart = Buffer.byteLength(lines.slice(0, 16).join('')); // line 17: token_usage_record resp_3
    const p = await writeTmp(full.subarray(0, lineStart + 40), path.basename(EXEC));

    const first = await collectRollout(p); // still being written: not final
    assert.deepEqual(first.stats.partialTail, { line: 17, offset: lineStart, bytes: 40 });
    assert.equal(first.stats.skippedCount, 0, 'a partial last line is not an error');
    assert.equal(first.checkpoint.offset, lineStart);
    assert.equal(first.checkpoint.lines, 16);
    assert.deepEqual(
      ofKind(first.events, 'response').map((e) => e.responseId),
      ['resp_2'],
    );

    await appendFile(p, full.subarray(lineStart + 40));
    const second = await collectRollout(p, { checkpoint: first.checkpoint, final: true });
    assert.equal(second.stats.startOffset, lineStart);
    assert.equal(second.stats.partialTail, undefined);
    assert.equal(ofKind(second.events, 'thread_started').length, 0, 'the thread was emitted by the first read');
    assert.deepEqual(
      ofKind(second.events, 'response').map((e) => e.responseId),
      ['resp_3', 'resp_8'],
    );
    const both = [...first.events, ...second.events];
    assert.deepEqual(
      both.map((e) => e.discriminator).sort(),
      whole.events.map((e) => e.discriminator).sort(),
    );
    assert.deepEqual(
      ofKind(both, 'turn').map((t) => t.prompt),
      ['run echo hi in the shell', 'now say goodbye, no tools'],
    );

    // Nothing new: a third read yields nothing and keeps the offset.
    const third = await collectRollout(p, { checkpoint: second.checkpoint, final: true });
    assert.equal(third.events.length, 0);
    assert.equal(third.checkpoint.offset, full.length);
  });

  it('a file read in two parts at any point gives the same responses, turns and tool calls as one read', async () => {
    for (const file of [EXEC, COMPACTION, OLD_ENVELOPE, OLD_FORK, REVIEW_CHILD]) {
      const full = await readFile(file);
      const whole = await collectRollout(file, { final: true });
      const project = (events: RolloutEvent[]) =>
        events
          .map((e) => {
            switch (e.kind) {
              case 'response':
                return `R ${e.threadId} ${e.responseId} ${tok(e).join('/')} ${e.model} ${e.discriminator}`;
              case 'turn':
                return `T ${e.threadId} ${e.turnId} ${e.discriminator} ${e.prompt} ${e.model}`;
              case 'tool':
                return `X ${e.callId} ${e.success} ${e.output?.length} ${e.arguments}`;
              default:
                return `S ${e.threadId}`;
            }
          })
          .sort();
      const expected = project(whole.events);
      for (let cut = 1; cut < full.length; cut += 997) {
        const p = await writeTmp(full.subarray(0, cut), path.basename(file));
        const a = await collectRollout(p);
        await appendFile(p, full.subarray(cut));
        const b = await collectRollout(p, { checkpoint: JSON.parse(JSON.stringify(a.checkpoint)), final: true });
        assert.deepEqual(project([...a.events, ...b.events]), expected, `${path.basename(file)} cut at ${cut}`);
        assert.equal(a.stats.tokens.total + b.stats.tokens.total, whole.stats.tokens.total);
      }
    }
  });

  it('with final, a complete last record without a newline is read', async () => {
    const full = (await readFile(EXEC, 'utf8')).replace(/\n$/, '');
    const p = await writeTmp(full, path.basename(EXEC));
    const notFinal = await collectRollout(p);
    assert.equal(notFinal.stats.partialTail?.line, 29);
    const fin = await collectRollout(p, { final: true });
    assert.equal(fin.stats.partialTail, undefined);
    assert.equal(fin.stats.lines, 29);
    assert.equal(ofKind(fin.events, 'turn').length, 2);
  });

  it('starts over when the checkpointed file was replaced by a shorter one', async () => {
    const p = await writeTmp(await readFile(EXEC), path.basename(EXEC));
    const first = await collectRollout(p, { final: true });
    await writeFile(p, (await readLines(EXEC)).slice(0, 11).join('\n') + '\n');
    const again = await collectRollout(p, { checkpoint: first.checkpoint, final: true });
    assert.equal(again.stats.reset, 'file_shrank');
    assert.equal(again.stats.responses, 1);
  });

  it('reads a 50 MB compacted line with bounded memory and keeps counting after it', async () => {
    const p = tmpFile(path.basename(COMPACTION));
    await mkdir(path.dirname(p), { recursive: true });
    const lines = await readLines(COMPACTION);
    const ws = createWriteStream(p);
    const write = (s: string | Buffer) => new Promise<void>((res) => (ws.write(s) ? res() : ws.once('drain', () => res())));
    for (const l of lines.slice(0, 13)) await write(l + '\n');
    // A compacted line whose replacement_history is ~50 MB.
    await write('{"timestamp":"2026-11-22T01:33:18.739Z","ordinal":20,"type":"compacted","payload":{"message":"Summary of the work so far.","replacement_history":[');
    const item = Buffer.from(JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'z'.repeat(64 * 1024 - 80) }] }) + ',');
    const size = 50 * 1024 * 1024;
    for (let w = 0; w < size; w += item.length) await write(item);
    await write('{"type":"message","role":"user","content":[]}]}}\n');
    // A huge tool output (3 MB) is trimmed to its head too.
    await write(
      JSON.stringify({ timestamp: '2026-11-22T01:33:18.745Z', ordinal: 21, type: 'response_item', payload: { type: 'function_call_output', call_id: 'call_big', output: 'Process exited with code 0\nOutput:\n' + 'o'.repeat(3 * 1024 * 1024) } }) + '\n',
    );
    for (const l of lines.slice(26)) await write(l + '\n');
    await new Promise<void>((res) => ws.end(() => res()));

    const base = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }, 1);
    let r;
    try {
      r = await collectRollout(p, { final: true });
    } finally {
      clearInterval(timer);
    }
    assert.ok(peak < 40 * 1024 * 1024, `memory grew by ${Math.round(peak / 1e6)} MB reading a 50 MB line`);
    assert.equal(r.stats.trimmed.length, 2);
    assert.ok(r.stats.trimmed[0]!.bytes > size);
    const [compaction] = contentOf(r.content, 'compaction');
    assert.equal(compaction!.message, 'Summary of the work so far.');
    assert.equal(compaction!.truncated, true);
    const big = ofKind(r.events, 'tool').find((t) => t.callId === 'call_big');
    assert.ok(big && big.outputTruncated && big.success === true && (big.output?.length ?? 0) <= 64 * 1024);
    assert.deepEqual(
      ofKind(r.events, 'response').map((e) => e.responseId),
      ['resp_2', 'resp_9'],
    );
    assert.equal(r.stats.skippedCount, 0);
  });

  it('never throws on mangled files (seeded random cuts, junk bytes, spliced and truncated lines)', async () => {
    let seed = 20261122;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const sources = [EXEC, COMPACTION, REVIEW_CHILD, OLD_ENVELOPE, BARE, OLD_FORK];
    const p = tmpFile(path.basename(EXEC));
    await mkdir(path.dirname(p), { recursive: true });
    for (let i = 0; i < 150; i++) {
      let b = await readFile(sources[i % sources.length]!);
      for (let m = 0; m < 1 + Math.floor(rnd() * 5); m++) {
        const pos = Math.floor(rnd() * b.length);
        const k = rnd();
        if (k < 0.3) b = Buffer.concat([b.subarray(0, pos), b.subarray(Math.min(b.length, pos + Math.floor(rnd() * 300)))]);
        else if (k < 0.6) b = Buffer.concat([b.subarray(0, pos), Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))), b.subarray(pos)]);
        else if (k < 0.85) {
          const from = Math.floor(rnd() * b.length);
          b = Buffer.concat([b.subarray(0, pos), b.subarray(from, from + Math.floor(rnd() * 2000)), b.subarray(pos)]);
        } else b = b.subarray(0, pos);
      }
      await writeFile(p, b);
      const r = await collectRollout(p, { final: i % 2 === 0 });
      for (const e of r.events) {
        assert.ok(Number.isFinite(e.ts), 'every event has a time');
        if (e.kind === 'response') assert.ok(Object.values(e.tokens).every((v) => Number.isInteger(v) && v >= 0) && e.tokens.cached <= e.tokens.input, 'token counts stay sane');
      }
      assert.ok(r.checkpoint.offset <= b.length);
    }
  });

  it('a corrupt or truncated .gz is reported, keeping the lines read before the damage', async () => {
    const gz = await readFile(TUI_GZ);
    const p = await writeTmp(gz.subarray(0, Math.floor(gz.length * 0.8)), path.basename(TUI_GZ));
    const r = await collectRollout(p);
    assert.match(r.stats.readError ?? '', /decompression failed/);
    assert.ok(r.stats.lines > 0 && r.stats.lines < 22);
    assert.ok(r.checkpoint.offset > 0);
  });

  it('iterateRollout streams records and ends with the result', async () => {
    const kinds: string[] = [];
    for await (const rec of iterateRollout(REVIEW_CHILD, { final: true, content: false } satisfies ReadOptions)) kinds.push(rec.type === 'event' ? rec.event.kind : rec.type);
    assert.deepEqual(kinds, ['thread_started', 'turn', 'response', 'done']);
  });

  it('finds .jsonl and .jsonl.gz rollouts under a directory', async () => {
    const found: string[] = [];
    for await (const f of findRolloutFiles(FIX)) found.push(path.relative(FIX, f));
    assert.equal(found.length, 11);
    assert.ok(found.includes(path.relative(FIX, TUI_GZ)));
    assert.ok(found.every((f) => /\.jsonl(\.gz)?$/.test(f)));
  });

  it('a missing file is an error, not a silent empty read', async () => {
    await assert.rejects(collectRollout(path.join(tmp, 'nope.jsonl')), /ENOENT/);
  });
});

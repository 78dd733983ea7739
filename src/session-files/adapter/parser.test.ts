// Ground truth: the real 0.169 captures in test/fixtures/rollouts/0.169 (copied from the shared
// capture set) and older-format files written from the format description in
// test/fixtures/rollouts/older (see the README there). Token numbers were checked by reading the
// files and, where it applies, against ccusage 20.0.24.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { collectRollout } from './parser.js';

import {
  EXEC,
  COMPACTION,
  REVIEW_PARENT,
  REVIEW_CHILD,
  FORK_PARENT,
  FORK,
  TUI_GZ,
  ofKind,
  tok,
  contentOf,
  readLines,
  tempRollouts,
} from '../../../test/support/rollout-fixtures.js';

const { writeTmp } = tempRollouts();

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
      [
        th.thread.cliVersion,
        th.thread.cwd,
        th.thread.source,
        th.thread.threadSource,
        th.thread.git?.commitHash,
        th.thread.git?.branch,
      ],
      ['0.169.0', '/home/dev/sample-app/work', 'exec', 'user', '856907fb813fb5caac9d5005740cc4fc2ece651b', 'master'],
    );

    const turns = ofKind(r.events, 'turn');
    assert.deepEqual(
      turns.map((t) => [t.turnId, t.prompt, t.model, t.threadKind, t.discriminator]),
      [
        [
          '01a200dc-5854-7142-b945-bb2dcb77bdc3',
          'run echo hi in the shell',
          'gpt-5.5',
          'user',
          '01a200dc-5835-7763-b92a-e0134f63f937:1',
        ],
        [
          '01a200dc-bdb1-7871-932e-f66b42907965',
          'now say goodbye, no tools',
          'gpt-5.5',
          'user',
          '01a200dc-5835-7763-b92a-e0134f63f937:20',
        ],
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
    assert.deepEqual(r.stats.tokens, {
      input: 6200,
      cached: 5500,
      output: 100,
      reasoning: 20,
      cacheWrite: 0,
      total: 6300,
    });
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
      [
        tool!.callId,
        tool!.toolName,
        tool!.arguments,
        tool!.success,
        tool!.exitCode,
        tool!.durationMs,
        tool!.durationSource,
        tool!.turnId,
      ],
      [
        'call_resp_2',
        'exec_command',
        '{"cmd":"echo hi"}',
        true,
        0,
        112,
        'exec',
        '01a200dc-5854-7142-b945-bb2dcb77bdc3',
      ],
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
    assert.equal(
      (session!.raw.base_instructions as { text: string }).text,
      '<stripped: 21727 chars of base instructions>',
    );
    assert.ok(contentOf(content, 'developer_message').length === 1, 'developer instructions are kept');
    assert.ok(
      content.every(
        (c) => c.threadId === '01a200dc-5835-7763-b92a-e0134f63f937' && c.discriminator.startsWith(c.threadId),
      ),
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
    assert.deepEqual(r.stats.tokens, {
      input: 6300,
      cached: 6000,
      output: 90,
      reasoning: 15,
      cacheWrite: 0,
      total: 6390,
    });
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
      const lines = (await readLines(file))
        .filter((l) => !l.includes('"type": "token_usage_record"'))
        .map((l) => l.replace('"cli_version": "0.169.0"', '"cli_version": "0.160.0"'));
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
    assert.ok(
      mirrored && !mirrored.canonical,
      'the child prompt mirrored in the parent is kept, marked as another thread',
    );
    assert.ok(contentOf(parent.content, 'turn_started').some((c) => c.subagentMirror));
    const exited = contentOf(parent.content, 'review').find((c) => c.phase === 'exited');
    assert.equal(
      (exited!.raw as { review_output: { overall_correctness: string } }).review_output.overall_correctness,
      'patch is incorrect',
    );

    const [cth] = ofKind(child.events, 'thread_started');
    assert.deepEqual(
      [cth!.threadId, cth!.threadKind, cth!.parentThreadId, cth!.thread.source],
      [childId, 'subagent', parentId, 'subagent:review'],
    );
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
    for (const e of [...ofKind(parent.events, 'response'), ...cresp])
      byThread.set(e.threadId, (byThread.get(e.threadId) ?? 0) + e.tokens.input + e.tokens.output);
    assert.deepEqual([...byThread], [[parentId, 3120]]);

    const own = await collectRollout(REVIEW_CHILD, { final: true, attributeSubagentsToParent: false });
    assert.equal(ofKind(own.events, 'response')[0]!.threadId, childId);
  });

  it('paginated fork: only its new response counts, though its running total starts at the parent’s', async () => {
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
    assert.deepEqual(
      [th!.originator, th!.thread.source, th!.model, th!.approvalPolicy, th!.sandboxPolicy],
      ['codex-tui', 'vscode', 'gpt-6-sol', 'on-request', 'workspace-write'],
    );
    assert.deepEqual(
      ofKind(r.events, 'response').map((e) => e.model),
      ['gpt-6-sol', 'gpt-6-sol'],
    );
    assert.equal(r.stats.tokens.total, 4170);
    const [tool] = ofKind(r.events, 'tool');
    assert.deepEqual(
      [tool!.toolName, tool!.success, tool!.output],
      ['shell_command', false, 'unsupported call: shell_command'],
    );
    assert.equal(r.stats.lines, 22);
    assert.equal(r.checkpoint.offset, 47281); // decompressed bytes
  });

  it('deduplicates token_usage_record on response_id', async () => {
    const lines = await readLines(EXEC);
    const rec = lines.find((l) => l.includes('"response_id": "resp_3"'))!;
    const p = await writeTmp(
      [...lines, rec.replace('"ordinal": 16', '"ordinal": 29')].join('\n') + '\n',
      path.basename(EXEC),
    );
    const r = await collectRollout(p, { final: true });
    assert.equal(r.stats.responses, 3);
    assert.equal(r.stats.duplicateResponses, 1);
    assert.equal(r.stats.tokens.total, 6300);
  });

  it('a thread_title helper thread is not a user thread', async () => {
    const id = '01a200e3-4a50-7000-8000-00000000t1t1';
    const parentId = '01a200e3-49f9-76d3-b635-cbe36ffb88db';
    const L = [
      {
        timestamp: '2026-11-22T01:33:45.450Z',
        ordinal: 0,
        type: 'session_meta',
        payload: {
          id,
          session_id: parentId,
          originator: 'codex-tui',
          cli_version: '0.169.0',
          source: 'vscode',
          thread_source: 'thread_title',
          parent_thread_id: parentId,
        },
      },
      {
        timestamp: '2026-11-22T01:33:45.451Z',
        ordinal: 1,
        type: 'event_msg',
        payload: { type: 'task_started', turn_id: 'tt1' },
      },
      {
        timestamp: '2026-11-22T01:33:45.452Z',
        ordinal: 2,
        type: 'turn_context',
        payload: { turn_id: 'tt1', model: 'gpt-5.5' },
      },
      {
        timestamp: '2026-11-22T01:33:45.453Z',
        ordinal: 3,
        type: 'event_msg',
        payload: {
          type: 'item_completed',
          thread_id: id,
          turn_id: 'tt1',
          item: {
            type: 'UserMessage',
            id: 'u',
            content: [{ type: 'text', text: 'Generate a concise, single-line task title for: tui run' }],
          },
        },
      },
      {
        timestamp: '2026-11-22T01:33:45.600Z',
        ordinal: 4,
        type: 'token_usage_record',
        payload: {
          thread_id: id,
          turn_id: 'tt1',
          response_id: 'resp_t',
          usage: {
            input_tokens: 300,
            cached_input_tokens: 0,
            output_tokens: 12,
            reasoning_output_tokens: 0,
            total_tokens: 312,
          },
        },
      },
      {
        timestamp: '2026-11-22T01:33:45.601Z',
        ordinal: 5,
        type: 'event_msg',
        payload: { type: 'task_complete', turn_id: 'tt1' },
      },
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

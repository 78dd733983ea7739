import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GAINED_DECISION,
  GAINED_RESULT,
  type GainedTool,
  mcpServerOf,
  toolContribution,
  toolRollupRows,
} from './tool-rollups.js';

const call = (o: Partial<GainedTool>): GainedTool => ({
  workspace_id: 'w',
  ts: 86_400_000 * 3 + 5,
  gained: GAINED_DECISION | GAINED_RESULT,
  tool_name: 'exec_command',
  decision: 'approved',
  decision_source: 'Config',
  success: 1,
  duration_ms: 10,
  ...o,
});

test('a part counts only when this write gained it', () => {
  assert.deepEqual(toolContribution(call({ gained: GAINED_DECISION })), { approved: 1, by_config: 1 });
  assert.deepEqual(toolContribution(call({ gained: GAINED_RESULT, success: 0, duration_ms: null })), {
    calls: 1,
    failed: 1,
  });
  assert.deepEqual(toolContribution(call({ gained: 0 })), {});
});

test('decisions and their sources by class, in any case', () => {
  const of = (decision: string, decision_source: string) =>
    toolContribution(call({ gained: GAINED_DECISION, decision, decision_source }));
  assert.deepEqual(of('approved_for_session', 'User'), { approved: 1, by_user: 1 });
  assert.deepEqual(of('denied', 'automated_reviewer'), { denied: 1, by_reviewer: 1 });
  assert.deepEqual(of('timed_out', 'AutomatedReviewer'), { aborted: 1, by_reviewer: 1 });
  assert.deepEqual(of('abort', 'Elsewhere'), { aborted: 1 });
});

test('the MCP server: the record names it, or the session-file tool name does', () => {
  assert.equal(mcpServerOf('search', 'docs'), 'docs');
  assert.equal(mcpServerOf('mcp__git_hub__get_issue', undefined), 'git_hub');
  assert.equal(mcpServerOf('exec_command', ''), null);
});

test('rows per day and tool, and per day and server for results only', () => {
  const rows = toolRollupRows(
    [
      call({}),
      call({ tool_name: null, gained: GAINED_DECISION }),
      call({ tool_name: 'mcp__gh__x', mcpServer: undefined }),
      call({ tool_name: 'mcp__gh__x', gained: GAINED_DECISION }),
    ],
    (ms) => Math.floor(ms / 86_400_000),
  );
  assert.deepEqual(
    rows.tools.map((r) => [r.bucket, r.tool_name, r.calls, r.approved]),
    [
      [3, 'exec_command', 1, 1],
      [3, 'unknown', 0, 1],
      [3, 'mcp__gh__x', 1, 2],
    ],
  );
  assert.deepEqual(
    rows.mcp.map((r) => [r.mcp_server, r.calls, r.duration_ms]),
    [['gh', 1, 10]],
  );
});

// Migration 0033 on both databases: tool calls stored before it (whole, decision only, result only,
// unnamed, from two workspaces and two days) are rolled up by the migration exactly as the ingest
// rules count them (core/tool-rollups.ts), compared with sums made here from the rows themselves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { gainedOnInsert, toolContribution, toolNameOf } from '../../src/core/tool-rollups.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const ROWS = [
  ['ws1', 'exec_command', 'approved', 'Config', 1, 120, 0],
  ['ws1', 'exec_command', 'denied', 'User', null, null, 0],
  ['ws1', 'exec_command', null, null, 0, 40, 1],
  ['ws1', 'apply_patch', 'approved_for_session', 'user', 1, null, 1],
  ['ws1', null, 'abort', 'AutomatedReviewer', null, null, 1],
  ['ws2', 'exec_command', 'approved', 'automated_reviewer', 1, 900, 0],
] as const;

for (const dialect of DIALECTS)
  describe(`migration 0033 tool rollups (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0024_session_items_in_chain');
      const db = s.db as any;
      await db
        .insertInto('tool_events')
        .values(
          ROWS.map(([ws, tool, decision, source, success, duration, day], i) => ({
            workspace_id: ws,
            tool_key: `tool:${i}`,
            thread_id: 't',
            user_id: 'u',
            call_id: `c${i}`,
            ts: 20_000 * DAY + day * DAY + i * 1000,
            tool_name: tool,
            decision,
            decision_source: source,
            success,
            duration_ms: duration,
            source: 'otlp',
          })),
        )
        .execute();
      await migrateToLatest(s.db);
    });
    after(() => s?.cleanup());

    it('rolls up the stored calls per workspace, day and tool as the ingest would have', async () => {
      const want = new Map<string, Record<string, number>>();
      for (const [ws, tool, decision, source, success, duration, day] of ROWS) {
        const c = toolContribution({
          workspace_id: ws,
          ts: 0,
          gained: gainedOnInsert({ decision, success, duration_ms: duration }),
          tool_name: tool,
          decision,
          decision_source: source,
          success,
          duration_ms: duration,
        });
        const k = `${ws} ${20_000 + day} ${toolNameOf({ tool_name: tool } as never)}`;
        const row = want.get(k) ?? {};
        for (const [n, v] of Object.entries(c)) row[n] = (row[n] ?? 0) + v;
        want.set(k, row);
      }
      const rows = await (s.db as any).selectFrom('tool_calls_day').selectAll().execute();
      assert.equal(rows.length, want.size);
      for (const r of rows) {
        const w = want.get(`${r.workspace_id} ${Number(r.bucket)} ${r.tool_name}`)!;
        assert.ok(w, `${r.workspace_id} ${r.bucket} ${r.tool_name}`);
        for (const c of [
          'calls',
          'succeeded',
          'failed',
          'duration_ms',
          'timed_calls',
          'approved',
          'denied',
          'aborted',
          'by_user',
          'by_config',
          'by_reviewer',
        ])
          assert.equal(Number(r[c]), w[c] ?? 0, `${r.tool_name} ${c}`);
      }
      // By hand, so the rules above are not all that is checked: ws1 day 0 exec_command.
      const exec = rows.find(
        (r: any) => r.workspace_id === 'ws1' && Number(r.bucket) === 20_000 && r.tool_name === 'exec_command',
      );
      assert.deepEqual(
        [exec.calls, exec.succeeded, exec.duration_ms, exec.approved, exec.denied, exec.by_user, exec.by_config].map(
          Number,
        ),
        [1, 1, 120, 1, 1, 1, 1],
      );
    });
  });

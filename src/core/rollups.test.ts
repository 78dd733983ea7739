import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ROLLUP_COUNTER_MAX } from './bounds.js';
import type { NormalizedEvent } from './events.js';
import { countsAsTurn, RollupDeltas, ROLLUP_KEYS, type CounterRow } from './rollups.js';
import { weekOfDay } from './time.js';

const grain = { workspaceId: 'w', userId: 'u', clientId: 'CODEX_CLI', model: 'gpt-5.5', day: 20_000 };
const byTable = (d: RollupDeltas) => new Map(d.rows().map((t) => [t.table, t.rows]));

it('a counted fact lands in all eight rollups, keyed by user/workspace x client/model x day/week', () => {
  const d = new RollupDeltas();
  d.addFact(grain, { requests: 1, input_tokens: 100, cost_nusd: 7 });
  const t = byTable(d);
  assert.equal(t.size, 8);
  for (const [table, rows] of t) {
    assert.equal(rows.length, 1, table);
    const row = rows[0];
    for (const k of ROLLUP_KEYS[table]) assert.ok(k in row, `${table} has ${k}`);
    assert.equal(row.bucket, table.endsWith('_week') ? weekOfDay(20_000) : 20_000);
    assert.equal(row.requests, 1);
    assert.equal(row.input_tokens, 100);
    assert.equal(row.turns, 0);
    assert.equal(row.threads, 0);
  }
  assert.deepEqual(Object.keys(t.get('usage_ws_model_day')![0]).slice(0, 3), ['workspace_id', 'bucket', 'model']);
});

it('facts of one grain are summed, other users and models get rows of their own', () => {
  const d = new RollupDeltas();
  d.addFact(grain, { turns: 1 });
  d.addFact(grain, { requests: 1, output_tokens: 5 });
  d.addFact({ ...grain, userId: 'v' }, { turns: 1 });
  d.addFact({ ...grain, model: 'gpt-5' }, { requests: 1, output_tokens: 3 });
  const t = byTable(d);
  const sum = (rows: CounterRow[], c: string) => rows.reduce((n, r) => n + Number(r[c]), 0);
  assert.equal(t.get('usage_user_day')!.length, 2); // u and v; models fold into one client row each
  assert.equal(t.get('usage_ws_day')!.length, 1);
  assert.equal(t.get('usage_ws_day')![0].turns, 2);
  assert.equal(t.get('usage_ws_day')![0].output_tokens, 8);
  assert.equal(t.get('usage_ws_model_day')!.length, 2);
  assert.equal(t.get('usage_user_model_week')!.length, 3);
  for (const rows of t.values()) assert.equal(sum(rows, 'requests'), 2);
});

it('a thread counts in the user and workspace client rollups of its bucket only', () => {
  const d = new RollupDeltas();
  d.addThread('day', 20_000, grain);
  d.addThread('week', weekOfDay(20_000), grain);
  const t = byTable(d);
  assert.deepEqual([...t.keys()].sort(), ['usage_user_day', 'usage_user_week', 'usage_ws_day', 'usage_ws_week']);
  for (const rows of t.values()) assert.equal(rows[0].threads, 1);
});

it('counters saturate at the rollup bound instead of overflowing', () => {
  const d = new RollupDeltas();
  d.addFact(grain, { input_tokens: ROLLUP_COUNTER_MAX });
  d.addFact(grain, { input_tokens: ROLLUP_COUNTER_MAX });
  assert.equal(byTable(d).get('usage_ws_day')![0].input_tokens, ROLLUP_COUNTER_MAX);
});

it("only a user thread's prompt counts as a turn", () => {
  const turn = (threadKind: 'user' | 'title' | 'subagent') =>
    ({ kind: 'turn', threadKind, threadId: 't', ts: 1, key: 'k' }) as unknown as NormalizedEvent;
  assert.equal(countsAsTurn(turn('user')), true);
  assert.equal(countsAsTurn(turn('title')), false);
  assert.equal(countsAsTurn(turn('subagent')), false);
  assert.equal(countsAsTurn({ kind: 'response', threadId: 't' } as unknown as NormalizedEvent), false);
});

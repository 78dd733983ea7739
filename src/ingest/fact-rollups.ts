// What a batch's newly stored facts add to the rollups and the active-user sets (rules in
// core/rollups.ts and core/tool-rollups.ts): the insert parts, shared by the ingest path
// (ingest.repository.ts, from what its inserts returned) and the fresh-batch loader
// (fresh-batch.repository.ts, where every fact is new), so both count alike.
import type { EnrichedEvent, EnrichedOf, ModelResponse, TurnStarted } from '../core/events.js';
import {
  type CounterRow,
  RollupDeltas,
  type RollupTable,
  skillRollupRows,
  type SkillInvocation,
} from '../core/rollups.js';
import { dayOf, weekOfDay } from '../core/time.js';
import type { InsertPart } from '../platform/storage/bulk-insert.js';
import { activeUserInserts, rollupInserts, skillRollupInserts } from './rollups.repository.js';
import { toolRollupInserts } from './tool-events.repository.js';

export interface NewFacts {
  /** Counted turns stored for the first time (countsAsTurn). */
  turns: readonly EnrichedOf<TurnStarted>[];
  /** Rows of thread_day_set / thread_week_set inserted for the first time (workspace_id, bucket, thread_id). */
  newDaySet: readonly Record<string, unknown>[];
  newWeekSet: readonly Record<string, unknown>[];
  /** Model responses stored for the first time. */
  responses: readonly EnrichedOf<ModelResponse>[];
  /** Skill invocations stored for the first time. */
  skills: readonly SkillInvocation[];
  /** Tool calls inserted or completed, as the tool_events upsert returns them (with `gained`). */
  tools: readonly Record<string, unknown>[];
  /** The MCP server a record of the batch named for a tool key. */
  mcpServerOf: (toolKey: string) => string | undefined;
}

/** What new facts add: the insert parts, and the rollup and active-day rows they hold (the trailing-window
 * bases add the late ones, decisions/0042). */
export interface FactRollups {
  parts: InsertPart[];
  rollups: { table: RollupTable; rows: CounterRow[] }[];
  activeDays: CounterRow[];
}

export function factRollupParts(f: NewFacts): FactRollups {
  const deltas = new RollupDeltas();
  const threadOwner = new Map<string, EnrichedOf<TurnStarted>>();
  // The active-user set rows, each key once, in the order of the turns that first name it.
  const activeDay = new Map<string, CounterRow>();
  const activeWeek = new Map<string, CounterRow>();
  for (const i of f.turns) {
    const day = dayOf(i.event.ts);
    deltas.addFact(grainOf(i, day), { turns: 1 });
    threadOwner.set(`${i.workspaceId}\u0000${i.event.threadId}`, i);
    // A CI runner's turns are usage, not a person at work (decisions/0026).
    if (i.service) continue;
    const { workspaceId: ws, userId: user, clientId: client } = i;
    const who = `\u0000${user}\u0000${client}`;
    const d = `${ws}\u0000${day}${who}`;
    if (!activeDay.has(d)) activeDay.set(d, { workspace_id: ws, bucket: day, user_id: user, client_id: client });
    const week = weekOfDay(day);
    const w = `${ws}\u0000${week}${who}`;
    if (!activeWeek.has(w)) activeWeek.set(w, { workspace_id: ws, bucket: week, user_id: user, client_id: client });
  }
  for (const [rows, grain] of [
    [f.newDaySet, 'day'],
    [f.newWeekSet, 'week'],
  ] as const) {
    for (const r of rows) {
      deltas.addThread(grain, Number(r.bucket), threadOwner.get(`${r.workspace_id}\u0000${r.thread_id}`)!);
    }
  }
  // Model responses: tokens, cost and credits.
  for (const i of f.responses) {
    const t = i.event.tokens;
    deltas.addFact(grainOf(i, dayOf(i.event.ts)), {
      requests: 1,
      input_tokens: t.input,
      cached_input_tokens: t.cached,
      output_tokens: t.output,
      reasoning_tokens: t.reasoning,
      cost_nusd: i.priced.costNanoUsd,
      credits_n: i.priced.creditsNano,
    });
  }
  const rollups = deltas.rows();
  const activeDays = [...activeDay.values()];
  const parts = [
    ...activeUserInserts(activeDays, [...activeWeek.values()]),
    ...rollupInserts(rollups),
    ...skillRollupInserts(skillRollupRows(f.skills)),
    ...toolRollupInserts(f.tools, f.mcpServerOf),
  ];
  return { parts, rollups, activeDays };
}

const grainOf = (i: EnrichedEvent, day: number) => ({
  workspaceId: i.workspaceId,
  userId: i.userId,
  clientId: i.clientId,
  model: i.event.model ?? 'unknown',
  day,
});

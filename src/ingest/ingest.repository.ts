// Stores enriched events idempotently and keeps the rollups in the same transaction. Each fact
// table is insert-or-ignore on its natural key; only rows that were actually inserted (RETURNING)
// contribute to counters, so a replayed batch changes nothing.
import type {
  EnrichedEvent,
  EnrichedOf,
  ModelResponse,
  NormalizedEvent,
  Observation,
  ThreadStarted,
  ToolCall,
  TurnStarted,
} from '../core/events.js';
import type { FirstSources } from '../core/compliance-merge.js';
import { countsAsTurn, type SkillInvocation } from '../core/rollups.js';
import { conflictDoNothing, insertManyReturning, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { UnitOfWork } from '../platform/storage/unit-of-work.js';
import { factRollupParts } from './fact-rollups.js';
import { freshnessPart, storedFact } from './freshness.repository.js';
import { firstSourcesOf } from './first-source.repository.js';
import { reconcileEvents, type Completes } from './reconcile.repository.js';
import { CODEX_EVENTS, codexEventRow } from './codex-events.repository.js';
import { markHelperThreads } from './thread-kind.repository.js';
import { addLateToWindows } from './windows.repository.js';
import { TOOL_EVENTS } from './tool-events.repository.js';
import { gainedOnInsert } from '../core/tool-rollups.js';
import { responseRow, threadRow, threadSetRows, toolRow, turnRow } from './fact-rows.js';

type Item<E extends NormalizedEvent> = EnrichedOf<E>;

export interface Stored {
  fresh: EnrichedEvent[];
  completes: Map<EnrichedEvent, Completes>;
  firstSources: FirstSources; // of every session start and tool call in the batch
}

export const THREADS: InsertSpec = {
  table: 'threads',
  columns: [
    'workspace_id',
    'thread_id',
    'user_id',
    'client_id',
    'originator',
    'thread_kind',
    'parent_thread_id',
    'first_seen_at',
    'model',
    'approval_policy',
    'sandbox_policy',
    'host_name',
    'source',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'thread_id']),
  returning: ['workspace_id', 'thread_id', 'source'],
};
export const TURNS: InsertSpec = {
  table: 'turns',
  columns: [
    'workspace_id',
    'turn_key',
    'turn_id',
    'thread_id',
    'user_id',
    'client_id',
    'ts',
    'model',
    'prompt_length',
    'source',
    'match_thread',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'turn_key']),
  returning: ['turn_key', 'workspace_id'],
};
// Distinct threads per day and week: a row inserted for the first time counts the thread once in
// the rollups. Inserted with the facts, for the new counted turns only (insertManyReturning's
// onlyIfReturned against TURNS' RETURNING).
const setSpec = (table: 'thread_day_set' | 'thread_week_set'): InsertSpec => ({
  table,
  columns: ['workspace_id', 'bucket', 'thread_id'],
  onConflict: conflictDoNothing(['workspace_id', 'bucket', 'thread_id']),
  returning: ['workspace_id', 'bucket', 'thread_id'],
});
export const THREAD_DAY_SET = setSpec('thread_day_set');
export const THREAD_WEEK_SET = setSpec('thread_week_set');
// Part 1 of the facts statement below is TURNS.
const IF_TURN_NEW = {
  part: 1,
  match: [
    ['workspace_id', 'workspace_id'],
    ['turn_key', 'turn_key'],
  ],
} as const;
export const MODEL_REQUESTS: InsertSpec = {
  table: 'model_requests',
  columns: [
    'workspace_id',
    'request_key',
    'response_id',
    'turn_id',
    'thread_id',
    'user_id',
    'client_id',
    'ts',
    'model',
    'input_tokens',
    'cached_input_tokens',
    'output_tokens',
    'reasoning_tokens',
    'cost_nusd',
    'credits_n',
    'pricing_version',
    'fallback_priced',
    'source',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'request_key']),
  returning: ['request_key'],
};
// Within one batch the same natural key may appear twice (a payload that repeats a record):
// keep the first so the multi-row insert never conflicts with itself.
function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
}

/**
 * Stores a batch's facts; their rollup counters and active-user sets (nothing is read back from
 * them) are added to `uow`, which the caller flushes in the same transaction (the ingest writer,
 * with the compliance records: one statement on PostgreSQL). Without `uow`, flushed here. Returns
 * the facts stored for the first time (tool calls: inserted or completed), in batch order: what the
 * compliance chain records and the counts are made of (core/ingest-counts.ts). A replay yields none.
 * `completes`: the turns and responses left out as another source's fact, with the fact's key.
 */
export async function storeEvents(db: DbOrTrx, batch: EnrichedEvent[], uow?: UnitOfWork): Promise<Stored> {
  if (!uow) {
    const own = new UnitOfWork();
    const stored = await storeEvents(db, batch, own);
    await own.flush(db);
    return stored;
  }
  // OTLP and session files key the same turns and responses differently: a fact the other source
  // already stored is left out here, so it is counted once (reconcile.repository.ts).
  const { items, keys, gained, completes } = await reconcileEvents(db, batch);
  const position = new Map<EnrichedEvent, number>(items.map((it, n) => [it, n]));
  const fresh: EnrichedEvent[] = [];
  const threadItems: Item<ThreadStarted>[] = [];
  const turnItems: Item<TurnStarted>[] = [];
  const responseItems: Item<ModelResponse>[] = [];
  const toolItems: Item<ToolCall>[] = [];
  const obsItems: Item<Observation>[] = [];
  for (const it of items) {
    if (it.event.kind === 'observation') {
      obsItems.push(it as Item<Observation>);
      continue;
    }
    if (it.event.kind === 'thread_started') threadItems.push(it as Item<ThreadStarted>);
    else if (it.event.kind === 'turn') turnItems.push(it as Item<TurnStarted>);
    else if (it.event.kind === 'response') responseItems.push(it as Item<ModelResponse>);
    else toolItems.push(it as Item<ToolCall>);
  }

  // Threads: every event names its thread; the first sighting creates the row.
  // (Observations name a thread but do not make one: an event without conversation.id has none.)
  const threadRows = uniqueBy(
    items.filter((i) => i.event.kind !== 'observation'),
    (i) => `${i.workspaceId}\u0000${i.event.threadId}`,
  ).map(threadRow);
  // Turns, responses and tool calls. (Their inserts go together: one statement on PostgreSQL.)
  const turnRows = uniqueBy(turnItems, (i) => `${i.workspaceId}\u0000${i.event.key}`);
  const respRows = uniqueBy(responseItems, (i) => `${i.workspaceId}\u0000${i.event.key}`);
  // Tool calls: decision and result arrive as separate records for one call id; merge them,
  // first within the batch, then with what is stored.
  const tools = new Map<string, Record<string, string | number | null>>();
  const toolItemOf = new Map<string, Item<ToolCall>>();
  for (const i of toolItems) {
    const id = `${i.workspaceId}\u0000${i.event.key}`;
    const row = toolRow(i);
    const prev = tools.get(id);
    // What the row carries if it is inserted (an update computes its own, tool-events.repository.ts).
    if (prev) {
      for (const [k, v] of Object.entries(row)) prev[k] ??= v;
      const first = toolItemOf.get(i.event.key)!;
      const merged = mergeToolItems(first, i);
      position.set(merged, position.get(first)!);
      toolItemOf.set(i.event.key, merged);
    } else {
      tools.set(id, row);
      toolItemOf.set(i.event.key, i);
    }
  }
  const toolRows = [...tools.values()].map((r) => ({ ...r, gained: gainedOnInsert(r) }));
  // The distinct-thread set rows of every counted turn; only those of turns that are new get inserted.
  const daySet: Record<string, string | number>[] = [];
  const weekSet: Record<string, string | number>[] = [];
  for (const i of turnRows) {
    if (!countsAsTurn(i.event)) continue;
    const { day, week } = threadSetRows(i);
    daySet.push(day);
    weekSet.push(week);
  }

  const obsRows = uniqueBy(obsItems, (i) => `${i.workspaceId}\u0000${i.event.key}`);
  const [insThreads, insTurns, insResp, changedTools, , newDay, newWeek, insObs] = await insertManyReturning<
    Record<string, string>
  >(db, [
    { spec: THREADS, rows: threadRows },
    {
      spec: TURNS,
      rows: turnRows.map((i) => turnRow(i, gained.get(`${i.workspaceId}\u0000${i.event.key}`))),
    },
    {
      spec: MODEL_REQUESTS,
      rows: respRows.map((i) => responseRow(i, gained.get(`${i.workspaceId}\u0000${i.event.key}`))),
    },
    { spec: TOOL_EVENTS, rows: toolRows },
    keys, // reconciliation keys: nothing returned
    { spec: THREAD_DAY_SET, rows: daySet, onlyIfReturned: IF_TURN_NEW },
    { spec: THREAD_WEEK_SET, rows: weekSet, onlyIfReturned: IF_TURN_NEW },
    { spec: CODEX_EVENTS, rows: obsRows.map(codexEventRow) },
  ]);
  const newObs = new Set(insObs.map((r) => r.event_key));
  // Only a codex_events row inserted now counts a skill: a replay inserts none (decisions/0032).
  const skills: SkillInvocation[] = [];
  for (const i of obsRows) {
    if (!newObs.has(i.event.key)) continue;
    fresh.push(i);
    if (i.event.category === 'skill_invocation')
      skills.push({ ...i.event, workspaceId: i.workspaceId, userId: i.userId });
  }
  const newThreads = new Set(insThreads.map((r) => r.thread_id));
  const newTurns = new Set(insTurns.map((r) => r.turn_key));
  const newResp = new Set(insResp.map((r) => r.request_key));
  // Both sources' thread_started of one thread in one batch: the first is the stored one, the other
  // completes it (compliance/chain/ingest-records.service.ts).
  for (const i of uniqueBy(threadItems, (t) => `${t.workspaceId}\u0000${t.event.threadId}`))
    if (newThreads.has(i.event.threadId)) fresh.push(i);
  // Tool calls inserted, or completed by this batch.
  for (const r of changedTools) fresh.push(toolItemOf.get(r.tool_key)!);
  const firstSources = await firstSourcesOf(db, threadItems, toolItems, insThreads, changedTools);

  // Turns: the new helper turns mark their threads; the new counted ones feed the rollups.
  for (const i of turnRows) if (newTurns.has(i.event.key)) fresh.push(i);
  await markHelperThreads(
    db,
    turnRows.filter((i) => newTurns.has(i.event.key) && !countsAsTurn(i.event)),
  );
  const responses = respRows.filter((i) => newResp.has(i.event.key));
  for (const i of responses) fresh.push(i);

  // Rollup counters and active-user sets: nothing to read back; they go with the unit of work.
  const added = factRollupParts({
    turns: turnRows.filter((i) => newTurns.has(i.event.key) && countsAsTurn(i.event)),
    newDaySet: newDay,
    newWeekSet: newWeek,
    responses,
    skills,
    tools: changedTools,
    mcpServerOf: (key) => toolItemOf.get(key)?.event.mcpServer,
  });
  // What lands on a day before a built window base's anchor is added to that base too (0042).
  await addLateToWindows(db, added.rollups, added.activeDays, uow);
  uow.add(...added.parts);
  if (fresh.length) uow.add(freshnessPart(fresh.map(storedFact), Date.now()));

  return { fresh: fresh.sort((a, b) => position.get(a)! - position.get(b)!), completes, firstSources };
}

// A tool call's decision and result arrive as two records; within a batch they become one fact.
function mergeToolItems(a: Item<ToolCall>, b: Item<ToolCall>): Item<ToolCall> {
  const event = { ...a.event };
  for (const [k, v] of Object.entries(b.event))
    if ((event as Record<string, unknown>)[k] === undefined) (event as Record<string, unknown>)[k] = v;
  const findings = [...(a.findings ?? []), ...(b.findings ?? [])];
  return { ...a, event, content: { ...b.content, ...a.content }, findings: findings.length ? findings : undefined };
}

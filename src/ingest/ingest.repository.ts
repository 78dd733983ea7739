// Stores enriched events idempotently and keeps the rollups in the same transaction. Each fact
// table is insert-or-ignore on its natural key; only rows that were actually inserted (RETURNING)
// contribute to counters, so a replayed batch changes nothing.
import type { EnrichedEvent, ModelResponse, ThreadStarted, ToolCall, TurnStarted } from '../core/events.js';
import { addCounter } from '../core/bounds.js';
import { dayOf, weekOfDay } from '../core/time.js';
import { conflictDoNothing, insertMany, insertManyReturning, type InsertPart, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { rollupInserts, setInserts, type CounterRow, type RollupTable } from './rollups.repository.js';
import { matchThread, reconcileEvents } from './reconcile.repository.js';

export interface StoreResult {
  threads: number;
  turns: number;
  requests: number;
  tools: number;
  duplicates: number;
  // The facts this call stored for the first time (tool calls: that it inserted or completed), in
  // batch order: what the compliance chain records. A replayed batch yields none.
  fresh?: EnrichedEvent[];
}

type Item<E> = EnrichedEvent & { event: E };

class Deltas {
  private maps = new Map<RollupTable, Map<string, CounterRow>>();

  add(table: RollupTable, key: Record<string, string | number>, counters: Record<string, number>): void {
    this.bump(table, Object.values(key).join('\u0000'), () => key, counters);
  }

  // The row for `id` (its key's values joined by NUL, in key order) gains `counters`; `key` builds
  // the key columns only when the row is new (this runs eight times per fact).
  private bump(table: RollupTable, id: string, key: () => Record<string, string | number>, counters: Record<string, number>): void {
    let m = this.maps.get(table);
    if (!m) this.maps.set(table, (m = new Map()));
    let row = m.get(id);
    if (!row) {
      row = { ...key(), threads: 0, turns: 0, requests: 0, input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0, cost_nusd: 0, credits_n: 0 };
      m.set(id, row);
    }
    for (const c in counters) row[c] = addCounter(row[c] as number, counters[c]);
  }

  // Facts of one user, client, model and day (most of a batch: a user's sessions of the last
  // minutes) are summed first and fanned out to their eight rollups once, in inserts().
  private perFact = new Map<string, { ws: string; user: string; client: string; model: string; day: number; counters: Record<string, number> }>();

  // One fact lands in eight rollups: user/workspace x client/model x day/week.
  addAll(ws: string, user: string, client: string, model: string, day: number, counters: Record<string, number>): void {
    const id = `${ws}\u0000${user}\u0000${client}\u0000${model}\u0000${day}`;
    const f = this.perFact.get(id);
    if (!f) this.perFact.set(id, { ws, user, client, model, day, counters: { ...counters } });
    else for (const c in counters) f.counters[c] = addCounter(f.counters[c] ?? 0, counters[c]);
  }

  private fanOut(ws: string, user: string, client: string, model: string, day: number, counters: Record<string, number>): void {
    const week = weekOfDay(day);
    this.bump('usage_user_day', `${ws}\u0000${day}\u0000${user}\u0000${client}`, () => ({ workspace_id: ws, bucket: day, user_id: user, client_id: client }), counters);
    this.bump('usage_user_week', `${ws}\u0000${week}\u0000${user}\u0000${client}`, () => ({ workspace_id: ws, bucket: week, user_id: user, client_id: client }), counters);
    this.bump('usage_ws_day', `${ws}\u0000${day}\u0000${client}`, () => ({ workspace_id: ws, bucket: day, client_id: client }), counters);
    this.bump('usage_ws_week', `${ws}\u0000${week}\u0000${client}`, () => ({ workspace_id: ws, bucket: week, client_id: client }), counters);
    this.bump('usage_user_model_day', `${ws}\u0000${day}\u0000${user}\u0000${model}`, () => ({ workspace_id: ws, bucket: day, user_id: user, model }), counters);
    this.bump('usage_user_model_week', `${ws}\u0000${week}\u0000${user}\u0000${model}`, () => ({ workspace_id: ws, bucket: week, user_id: user, model }), counters);
    this.bump('usage_ws_model_day', `${ws}\u0000${day}\u0000${model}`, () => ({ workspace_id: ws, bucket: day, model }), counters);
    this.bump('usage_ws_model_week', `${ws}\u0000${week}\u0000${model}`, () => ({ workspace_id: ws, bucket: week, model }), counters);
  }

  inserts(): { spec: InsertSpec; rows: CounterRow[] }[] {
    for (const f of this.perFact.values()) this.fanOut(f.ws, f.user, f.client, f.model, f.day, f.counters);
    this.perFact.clear();
    return rollupInserts([...this.maps].map(([table, m]) => ({ table, rows: [...m.values()] })));
  }
}

const THREADS: InsertSpec = {
  table: 'threads',
  columns: ['workspace_id', 'thread_id', 'user_id', 'client_id', 'originator', 'thread_kind', 'parent_thread_id', 'first_seen_at', 'model', 'approval_policy', 'sandbox_policy', 'host_name', 'source'],
  onConflict: conflictDoNothing(['workspace_id', 'thread_id']),
  returning: ['thread_id'],
};
const TURNS: InsertSpec = {
  table: 'turns',
  columns: ['workspace_id', 'turn_key', 'turn_id', 'thread_id', 'user_id', 'client_id', 'ts', 'model', 'prompt_length', 'source', 'match_thread'],
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
const THREAD_DAY_SET = setSpec('thread_day_set');
const THREAD_WEEK_SET = setSpec('thread_week_set');
// Part 1 of the facts statement below is TURNS.
const IF_TURN_NEW = { part: 1, match: [['workspace_id', 'workspace_id'], ['turn_key', 'turn_key']] } as const;
const MODEL_REQUESTS: InsertSpec = {
  table: 'model_requests',
  columns: ['workspace_id', 'request_key', 'response_id', 'turn_id', 'thread_id', 'user_id', 'client_id', 'ts', 'model', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_tokens', 'cost_nusd', 'credits_n', 'pricing_version', 'fallback_priced', 'source'],
  onConflict: conflictDoNothing(['workspace_id', 'request_key']),
  returning: ['request_key'],
};
// Arguments and output are content: they go to the compliance archive only (migration 0005).
const TOOL_FIELDS = ['tool_name', 'decision', 'decision_source', 'success', 'duration_ms'];
// A stored call gains the fields it lacked; an update that fills nothing is skipped (a replay), so
// RETURNING names exactly the calls this batch inserted or completed.
const TOOL_EVENTS: InsertSpec = {
  table: 'tool_events',
  columns: ['workspace_id', 'tool_key', 'thread_id', 'user_id', 'call_id', 'ts', ...TOOL_FIELDS],
  onConflict:
    `on conflict ("workspace_id", "tool_key") do update set ${TOOL_FIELDS.map((c) => `"${c}" = coalesce("excluded"."${c}", "tool_events"."${c}")`).join(', ')}` +
    ` where ${TOOL_FIELDS.map((c) => `("tool_events"."${c}" is null and "excluded"."${c}" is not null)`).join(' or ')}`,
  returning: ['tool_key'],
};

// Within one batch the same natural key may appear twice (a payload that repeats a record):
// keep the first so the multi-row insert never conflicts with itself.
function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
}

export async function storeEvents(db: DbOrTrx, batch: EnrichedEvent[]): Promise<StoreResult> {
  const { result, pending } = await storeEventsDeferred(db, batch);
  await insertMany(db, pending);
  return result;
}

/**
 * storeEvents, except that the last inserts (rollup counters and active-user sets: nothing is read
 * back from them) are returned, not run: the caller must run them (insertMany) in the same
 * transaction, e.g. in one statement with the compliance records (ingest-writer.ts).
 */
export async function storeEventsDeferred(db: DbOrTrx, batch: EnrichedEvent[]): Promise<{ result: StoreResult; pending: InsertPart[] }> {
  // OTLP and session files key the same turns and responses differently: a fact the other source
  // already stored is left out here, so it is counted once (reconcile.repository.ts).
  const { items, matched, keys, gained } = await reconcileEvents(db, batch);
  const result: StoreResult = { threads: 0, turns: 0, requests: 0, tools: 0, duplicates: 0 };
  const position = new Map<EnrichedEvent, number>(items.map((it, n) => [it, n]));
  const fresh: EnrichedEvent[] = [];
  const threadItems: Item<ThreadStarted>[] = [];
  const turnItems: Item<TurnStarted>[] = [];
  const responseItems: Item<ModelResponse>[] = [];
  const toolItems: Item<ToolCall>[] = [];
  for (const it of items) {
    if (it.event.kind === 'thread_started') threadItems.push(it as Item<ThreadStarted>);
    else if (it.event.kind === 'turn') turnItems.push(it as Item<TurnStarted>);
    else if (it.event.kind === 'response') responseItems.push(it as Item<ModelResponse>);
    else toolItems.push(it as Item<ToolCall>);
  }

  // Threads: every event names its thread; the first sighting creates the row.
  const threadRows = uniqueBy(items, (i) => `${i.workspaceId}\u0000${i.event.threadId}`).map((i) => {
    const started = i.event.kind === 'thread_started' ? (i.event as ThreadStarted) : undefined;
    return {
      workspace_id: i.workspaceId,
      thread_id: i.event.threadId,
      user_id: i.userId,
      client_id: i.clientId,
      originator: i.event.originator ?? null,
      thread_kind: started?.threadKind ?? (i.event.kind === 'turn' ? i.event.threadKind : 'user'),
      parent_thread_id: started?.parentThreadId ?? null,
      first_seen_at: i.event.ts,
      model: i.event.model ?? null,
      approval_policy: started?.approvalPolicy ?? null,
      sandbox_policy: started?.sandboxPolicy ?? null,
      host_name: i.hostName ?? null,
      source: i.source,
    };
  });
  // Turns, responses and tool calls. (Their inserts go together: one statement on PostgreSQL.)
  const turnRows = uniqueBy(turnItems, (i) => `${i.workspaceId}\u0000${i.event.key}`);
  const respRows = uniqueBy(responseItems, (i) => `${i.workspaceId}\u0000${i.event.key}`);
  // Tool calls: decision and result arrive as separate records for one call id; merge them,
  // first within the batch, then with what is stored.
  const tools = new Map<string, Record<string, string | number | null>>();
  const toolItemOf = new Map<string, Item<ToolCall>>();
  for (const i of toolItems) {
    const id = `${i.workspaceId}\u0000${i.event.key}`;
    const row: Record<string, string | number | null> = {
      workspace_id: i.workspaceId,
      tool_key: i.event.key,
      thread_id: i.event.threadId,
      user_id: i.userId,
      call_id: i.event.callId,
      ts: i.event.ts,
      tool_name: i.event.toolName ?? null,
      decision: i.event.decision ?? null,
      decision_source: i.event.decisionSource ?? null,
      success: i.event.success === undefined ? null : i.event.success ? 1 : 0,
      duration_ms: i.event.durationMs ?? null,
    };
    const prev = tools.get(id);
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
  const toolRows = [...tools.values()];
  // The distinct-thread set rows of every counted turn; only those of turns that are new get inserted.
  const daySet: Record<string, string | number>[] = [];
  const weekSet: Record<string, string | number>[] = [];
  for (const i of turnRows) {
    if (!i.countsAsTurn) continue;
    const day = dayOf(i.event.ts);
    daySet.push({ workspace_id: i.workspaceId, bucket: day, thread_id: i.event.threadId, turn_key: i.event.key });
    weekSet.push({ workspace_id: i.workspaceId, bucket: weekOfDay(day), thread_id: i.event.threadId, turn_key: i.event.key });
  }

  const [insThreads, insTurns, insResp, changedTools, , newDay, newWeek] = await insertManyReturning<Record<string, string>>(db, [
    { spec: THREADS, rows: threadRows },
    {
      spec: TURNS,
      rows: turnRows.map((i) => ({
        workspace_id: i.workspaceId,
        turn_key: i.event.key,
        turn_id: i.event.turnId ?? gained.get(`${i.workspaceId}\u0000${i.event.key}`)?.turnId ?? null,
        thread_id: i.event.threadId,
        user_id: i.userId,
        client_id: i.clientId,
        ts: i.event.ts,
        model: i.event.model ?? null,
        prompt_length: i.event.promptLength ?? null,
        source: i.source,
        match_thread: matchThread(i),
      })),
    },
    {
      spec: MODEL_REQUESTS,
      rows: respRows.map((i) => ({
        workspace_id: i.workspaceId,
        request_key: i.event.key,
        response_id: i.event.responseId ?? gained.get(`${i.workspaceId}\u0000${i.event.key}`)?.responseId ?? null,
        turn_id: i.event.turnId ?? gained.get(`${i.workspaceId}\u0000${i.event.key}`)?.turnId ?? null,
        thread_id: i.event.threadId,
        user_id: i.userId,
        client_id: i.clientId,
        ts: i.event.ts,
        model: i.event.model ?? 'unknown',
        input_tokens: i.event.tokens.input,
        cached_input_tokens: i.event.tokens.cached,
        output_tokens: i.event.tokens.output,
        reasoning_tokens: i.event.tokens.reasoning,
        cost_nusd: i.priced!.costNanoUsd,
        credits_n: i.priced!.creditsNano,
        pricing_version: i.priced!.pricingVersion,
        fallback_priced: i.priced!.fallback ? 1 : 0,
        source: i.source,
      })),
    },
    { spec: TOOL_EVENTS, rows: toolRows },
    keys, // reconciliation keys: nothing returned
    { spec: THREAD_DAY_SET, rows: daySet, onlyIfReturned: IF_TURN_NEW },
    { spec: THREAD_WEEK_SET, rows: weekSet, onlyIfReturned: IF_TURN_NEW },
  ]);
  const newThreads = new Set(insThreads.map((r) => r.thread_id));
  const newTurns = new Set(insTurns.map((r) => r.turn_key));
  const newResp = new Set(insResp.map((r) => r.request_key));
  result.threads = newThreads.size;
  for (const i of threadItems) if (newThreads.has(i.event.threadId)) fresh.push(i);
  // Tool calls inserted, or completed by this batch.
  for (const r of changedTools) fresh.push(toolItemOf.get(r.tool_key)!);
  result.tools = toolRows.length;

  const deltas = new Deltas();

  // Turns, and the distinct thread and active-user sets they feed.
  result.turns = newTurns.size;
  for (const i of turnRows) if (newTurns.has(i.event.key)) fresh.push(i);
  const countedTurns = turnRows.filter((i) => newTurns.has(i.event.key) && i.countsAsTurn);
  const threadOwner = new Map<string, Item<TurnStarted>>();
  const activeDay: Record<string, string | number>[] = [];
  const activeWeek: Record<string, string | number>[] = [];
  for (const i of countedTurns) {
    const day = dayOf(i.event.ts);
    deltas.addAll(i.workspaceId, i.userId, i.clientId, i.event.model ?? 'unknown', day, { turns: 1 });
    threadOwner.set(`${i.workspaceId}\u0000${i.event.threadId}`, i);
    activeDay.push({ workspace_id: i.workspaceId, bucket: day, user_id: i.userId, client_id: i.clientId });
    activeWeek.push({ workspace_id: i.workspaceId, bucket: weekOfDay(day), user_id: i.userId, client_id: i.clientId });
  }
  const setKey = (r: Record<string, string | number>) => Object.values(r).join('\u0000');
  for (const [rows, grain] of [[newDay, 'day'], [newWeek, 'week']] as const) {
    for (const r of rows) {
      const owner = threadOwner.get(`${r.workspace_id}\u0000${r.thread_id}`)!;
      const key = { workspace_id: owner.workspaceId, bucket: Number(r.bucket) };
      deltas.add(`usage_user_${grain}`, { ...key, user_id: owner.userId, client_id: owner.clientId }, { threads: 1 });
      deltas.add(`usage_ws_${grain}`, { ...key, client_id: owner.clientId }, { threads: 1 });
    }
  }

  // Model responses: tokens, cost and credits.
  result.requests = newResp.size;
  for (const i of respRows) {
    if (!newResp.has(i.event.key)) continue;
    fresh.push(i);
    const t = i.event.tokens;
    deltas.addAll(i.workspaceId, i.userId, i.clientId, i.event.model ?? 'unknown', dayOf(i.event.ts), {
      requests: 1,
      input_tokens: t.input,
      cached_input_tokens: t.cached,
      output_tokens: t.output,
      reasoning_tokens: t.reasoning,
      cost_nusd: i.priced!.costNanoUsd,
      credits_n: i.priced!.creditsNano,
    });
  }

  // Rollup counters and active-user sets: nothing to read back; the caller sends them (insertMany).
  const pending = [
    ...setInserts([
      { table: 'active_user_day_set', keyCols: ['workspace_id', 'bucket', 'user_id', 'client_id'], rows: uniqueBy(activeDay, setKey) },
      { table: 'active_user_week_set', keyCols: ['workspace_id', 'bucket', 'user_id', 'client_id'], rows: uniqueBy(activeWeek, setKey) },
    ]),
    ...deltas.inserts(),
  ];
  result.duplicates = turnItems.length - newTurns.size + (responseItems.length - newResp.size) + matched;
  result.fresh = fresh.sort((a, b) => position.get(a)! - position.get(b)!);
  return { result, pending };
}

// A tool call's decision and result arrive as two records; within a batch they become one fact.
function mergeToolItems(a: Item<ToolCall>, b: Item<ToolCall>): Item<ToolCall> {
  const event = { ...a.event };
  for (const [k, v] of Object.entries(b.event)) if ((event as Record<string, unknown>)[k] === undefined) (event as Record<string, unknown>)[k] = v;
  const findings = [...(a.findings ?? []), ...(b.findings ?? [])];
  return { ...a, event, content: { ...b.content, ...a.content }, findings: findings.length ? findings : undefined };
}

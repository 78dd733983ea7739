// Stores a batch of events that the store has never seen, the way storeEvents would store them,
// without what storeEvents spends on not knowing that: no lookups of earlier facts (reconcile,
// first sources), no RETURNING, one plain multi-row insert per fact table. For a workspace filled
// from nothing by one source (steward demo's older days, decisions/0044). The same row builders
// (fact-rows.ts) and rollup rules (fact-rollups.ts) as the ingest path; a fact that is not new after
// all fails the batch on its primary key instead of being counted twice.
import type {
  EnrichedEvent,
  EnrichedOf,
  ModelResponse,
  NormalizedEvent,
  Observation,
  ToolCall,
  TurnStarted,
} from '../core/events.js';
import { countsAsTurn, type SkillInvocation } from '../core/rollups.js';
import { gainedOnInsert } from '../core/tool-rollups.js';
import { type FlatPart, insertManyFlat, type InsertPart, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { CODEX_EVENTS, codexEventRow } from './codex-events.repository.js';
import { freshnessPart, storedFact } from './freshness.repository.js';
import { factRollupParts } from './fact-rollups.js';
import { responseRow, threadRow, threadSetRows, toolRow, turnRow } from './fact-rows.js';
import { MODEL_REQUESTS, THREAD_DAY_SET, THREAD_WEEK_SET, THREADS, TURNS } from './ingest.repository.js';
import { FACT_RECONCILE, reconcileRow } from './reconcile.repository.js';
import { markHelperThreads } from './thread-kind.repository.js';
import { TOOL_EVENTS } from './tool-events.repository.js';

type Item<E extends NormalizedEvent> = EnrichedOf<E>;

// The ingest path's specs as plain inserts: a conflict is an error here, not a replay.
const plain = (spec: InsertSpec): InsertSpec => ({ table: spec.table, columns: spec.columns });
const [P_THREADS, P_TURNS, P_REQUESTS, P_TOOLS, P_RECONCILE, P_DAY_SET, P_WEEK_SET, P_EVENTS] = [
  THREADS,
  TURNS,
  MODEL_REQUESTS,
  TOOL_EVENTS,
  FACT_RECONCILE,
  THREAD_DAY_SET,
  THREAD_WEEK_SET,
  CODEX_EVENTS,
].map(plain);

/** The fact tables a fresh batch inserts into (its rollups aside): what a load from nothing may
 * build the secondary indexes of after it (platform/storage/deferred-indexes.ts). */
export const FRESH_FACT_TABLES: readonly string[] = [
  P_THREADS,
  P_TURNS,
  P_REQUESTS,
  P_TOOLS,
  P_RECONCILE,
  P_DAY_SET,
  P_WEEK_SET,
  P_EVENTS,
].map((s) => s.table);

/** What a fresh batch writes: its fact rows, the helper turns whose threads are marked, its rollup rows. */
export interface FreshParts<P = InsertPart> {
  facts: P[];
  helperTurns: Item<TurnStarted>[];
  rollups: P[];
}

/**
 * Stores a batch's parts (freshBatchParts, made flat: flatPart) in the caller's transaction. A key
 * already stored fails the insert. Nothing is added to a trailing-window base (0042): it loads a
 * new workspace, whose base is built after it (steward demo builds it once seeded).
 */
export async function storeFreshParts(db: DbOrTrx, parts: FreshParts<FlatPart>): Promise<void> {
  await insertManyFlat(db, parts.facts);
  await markHelperThreads(db, parts.helperTurns);
  await insertManyFlat(db, parts.rollups);
}

/**
 * The rows and rollups of `batch` (through the pipeline, one source, every key new to the store and
 * unique in the batch, a tool call's decision and result in one record), as the ingest path would
 * write them. Pure (no I/O), so a worker thread can make them. Throws on a key repeated in the batch.
 */
export function freshBatchParts(batch: readonly EnrichedEvent[]): FreshParts {
  const seen = new Set<string>();
  const threads = new Map<string, Record<string, string | number | null>>();
  const parts: InsertPart[] = [];
  const turns: Item<TurnStarted>[] = [];
  const helperTurns: Item<TurnStarted>[] = [];
  const responses: Item<ModelResponse>[] = [];
  const tools: Record<string, string | number | null>[] = [];
  const mcp = new Map<string, string>();
  const observations: Item<Observation>[] = [];
  const reconcile: Record<string, unknown>[] = [];
  // A thread's row comes from its thread_started when the batch has one (reconcile's startsFirst).
  for (const i of batch) {
    const t = `${i.workspaceId}\u0000${i.event.threadId}`;
    if (i.event.kind === 'thread_started' && !threads.has(t)) threads.set(t, threadRow(i));
  }
  for (const i of batch) {
    const id = `${i.workspaceId}\u0000${i.event.key}`;
    if (seen.has(id)) throw new Error(`storeFreshEvents: ${i.event.key} twice in one batch`);
    seen.add(id);
    const e = i.event;
    if (e.kind === 'observation') {
      observations.push(i as Item<Observation>);
      continue;
    }
    const t = `${i.workspaceId}\u0000${e.threadId}`;
    if (!threads.has(t)) threads.set(t, threadRow(i));
    if (e.kind === 'turn') {
      (countsAsTurn(e) ? turns : helperTurns).push(i as Item<TurnStarted>);
      reconcile.push({ ...reconcileRow(i) });
    } else if (e.kind === 'response') {
      responses.push(i as Item<ModelResponse>);
      reconcile.push({ ...reconcileRow(i) });
    } else if (e.kind === 'tool') {
      const row = toolRow(i as Item<ToolCall>);
      tools.push({ ...row, gained: gainedOnInsert(row) });
      if (e.mcpServer) mcp.set(e.key, e.mcpServer);
    }
  }
  // The distinct-thread sets of the counted turns, each (bucket, thread) once.
  const daySet = new Map<string, Record<string, string | number>>();
  const weekSet = new Map<string, Record<string, string | number>>();
  for (const i of turns) {
    const { day, week } = threadSetRows(i);
    const k = `${i.workspaceId}\u0000${i.event.threadId}\u0000`;
    if (!daySet.has(k + day.bucket)) daySet.set(k + day.bucket, day);
    if (!weekSet.has(k + week.bucket)) weekSet.set(k + week.bucket, week);
  }
  const skills: SkillInvocation[] = [];
  for (const i of observations)
    if (i.event.category === 'skill_invocation')
      skills.push({ ...i.event, workspaceId: i.workspaceId, userId: i.userId });
  parts.push(
    { spec: P_THREADS, rows: [...threads.values()] },
    { spec: P_TURNS, rows: [...turns, ...helperTurns].map((i) => turnRow(i)) },
    { spec: P_REQUESTS, rows: responses.map((i) => responseRow(i)) },
    { spec: P_TOOLS, rows: tools },
    { spec: P_RECONCILE, rows: reconcile },
    { spec: P_DAY_SET, rows: [...daySet.values()] },
    { spec: P_WEEK_SET, rows: [...weekSet.values()] },
    { spec: P_EVENTS, rows: observations.map(codexEventRow) },
  );
  const rollups = factRollupParts({
    turns,
    newDaySet: [...daySet.values()],
    newWeekSet: [...weekSet.values()],
    responses,
    skills,
    tools,
    mcpServerOf: (key) => mcp.get(key),
  }).parts;
  // Every fact of the batch is new: all of them make the source's freshness (stored when written).
  rollups.push(freshnessPart(batch.map(storedFact), Date.now()));
  return { facts: parts, helperTurns, rollups };
}

// Cross-source reconciliation (docs/decisions/0007-otlp-rollout-reconciliation.md). The same turn
// or model response can arrive twice under different keys: by OTLP (no ids: keyed by thread, time,
// token counts and the exporter's observedTimeUnixNano) and from a session file (keyed by
// turn_id / response_id). Before storeEvents inserts a batch, each of its turns and responses is
// looked up in fact_reconcile among the other source's facts of the same thread:
//   - a response matches one with the same token counts within RESPONSE_WINDOW_MS,
//   - a turn matches the other source's turn of the thread nearest in time within TURN_WINDOW_MS,
// nearest first, each fact matched at most once, in either arrival order. The candidates are the
// stored facts and the batch's own earlier ones: the ingest writer commits concurrent requests as
// one batch, so both sources of a thread often arrive in the same one. A matched event is not
// inserted (so rollups never count it); the stored row keeps its key and gains the session file's
// ids. Every key seen is remembered, so replays of either source stay duplicates.
import type { EnrichedEvent, ModelResponse, ThreadStarted, TurnStarted } from '../core/events.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { lockKeysForTransaction } from '../platform/storage/dialect.js';
import type { FactReconcileTable } from './ingest.tables.js';
import { conflictDoNothing, type InsertPart, type InsertSpec } from '../platform/storage/bulk-insert.js';

export const RESPONSE_WINDOW_MS = 10_000;
export const TURN_WINDOW_MS = 10_000;
const CHUNK = 400;

export interface ReconcileResult {
  items: EnrichedEvent[]; // what storeEvents should insert
  matched: number; // events recognised as another source's fact (not inserted)
  // The new fact_reconcile rows: the caller inserts them in the same transaction (storeEvents sends
  // them with the facts, one statement on PostgreSQL). Nothing else here depends on them.
  keys: InsertPart;
  // Ids that an OTLP fact of this batch gains from the session file's fact it was matched with in
  // the same batch (that row is not stored yet, so storeEvents writes them with it), by
  // `${workspace}\0${key}`.
  gained: Map<string, Gained>;
  // Each event left out because it matched the other source's fact (not a replay of its own key):
  // the fact it completes, for its CODEX_LOG completion record (decisions/0019).
  completes: Map<EnrichedEvent, Completes>;
}

export interface Completes {
  fact_key: string;
  source: string;
}

export interface Gained {
  responseId: string | null;
  turnId: string | null;
}

type Kind = 'turn' | 'response';

export const FACT_RECONCILE: InsertSpec = {
  table: 'fact_reconcile',
  columns: [
    'workspace_id',
    'kind',
    'fact_key',
    'source',
    'match_thread',
    'ts',
    'sig',
    'ext_id',
    'stored_key',
    'matched_key',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'match_thread', 'kind', 'fact_key']),
};
type Row = FactReconcileTable;

/**
 * The thread a fact is matched within: a session file's own thread (sub-agents are rolled up to their
 * parent for counting, but OTLP names the sub-agent).
 */
export function matchThread(e: EnrichedEvent): string {
  return (e.event as { sourceThreadId?: string }).sourceThreadId || e.event.threadId;
}

/** The fact_reconcile row of a turn or response seen for the first time, not (yet) matched. */
export function reconcileRow(it: EnrichedEvent): Row {
  const key = it.event.key;
  return {
    workspace_id: it.workspaceId,
    kind: it.event.kind,
    fact_key: key,
    source: it.source,
    match_thread: matchThread(it),
    ts: it.event.ts,
    sig: sigOf(it),
    ext_id: extIdOf(it),
    stored_key: key,
    matched_key: null,
  };
}

function sigOf(e: EnrichedEvent): string {
  if (e.event.kind !== 'response') return '';
  const t = e.event.tokens;
  return `${t.input}:${t.cached}:${t.output}:${t.reasoning}`;
}

function extIdOf(e: EnrichedEvent): string | null {
  if (e.event.kind === 'response') return e.event.responseId ?? null;
  if (e.event.kind === 'turn') return e.event.turnId ?? null;
  return null;
}

export async function reconcileEvents(db: DbOrTrx, items: EnrichedEvent[]): Promise<ReconcileResult> {
  const facts = items.filter((i) => i.event.kind === 'turn' || i.event.kind === 'response');
  const threadStarts = items.filter(
    (i) => i.event.kind === 'thread_started' && i.source === 'rollout',
  ) as (EnrichedEvent & { event: ThreadStarted })[];
  if (facts.length === 0) {
    if (threadStarts.length) await enrichThreads(db, threadStarts);
    return {
      items: startsFirst(items),
      matched: 0,
      keys: { spec: FACT_RECONCILE, rows: [] },
      gained: new Map(),
      completes: new Map(),
    };
  }
  const byWs = new Map<string, Set<string>>();
  for (const f of facts) {
    let s = byWs.get(f.workspaceId);
    if (!s) byWs.set(f.workspaceId, (s = new Set()));
    s.add(matchThread(f));
  }
  // Concurrent batches of the two sources for one thread must see each other's facts.
  const lockKeys: string[] = [];
  for (const [ws, threads] of byWs) for (const t of threads) lockKeys.push(`reconcile:${ws}:${t}`);
  await lockKeysForTransaction(db, lockKeys);

  const known = new Map<string, Row>(); // `${ws}\0${kind}\0${key}` -> row
  const pool = new Map<string, Row[]>(); // `${ws}\0${kind}\0${thread}` -> rows not yet matched
  const id = (ws: string, kind: string, key: string) => `${ws}\u0000${kind}\u0000${key}`;
  for (const [ws, threads] of byWs) {
    const list = [...threads];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await db
        .selectFrom('fact_reconcile')
        .selectAll()
        .where('workspace_id', '=', ws)
        .where('match_thread', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        const row = { ...r, ts: Number(r.ts) };
        known.set(id(ws, row.kind, row.fact_key), row);
        if (row.matched_key === null) {
          const k = id(ws, row.kind, row.match_thread);
          const arr = pool.get(k);
          if (arr) arr.push(row);
          else pool.set(k, [row]);
        }
      }
    }
  }

  const drop = new Set<EnrichedEvent>();
  const inserts: Row[] = [];
  const links: { ws: string; thread: string; kind: Kind; key: string; matched: string }[] = [];
  const enrichResponses: { ws: string; key: string; responseId: string | null; turnId: string | null }[] = [];
  const enrichTurns: { ws: string; key: string; turnId: string | null }[] = [];
  // This batch's unmatched facts, candidates for the facts after them (rows not in the database yet).
  const fresh = new Set<Row>();
  const gained = new Map<string, Gained>();
  const completes = new Map<EnrichedEvent, Completes>();
  const ordered = [...facts].sort((a, b) => a.event.ts - b.event.ts);
  for (const it of ordered) {
    const kind = it.event.kind as Kind;
    const ws = it.workspaceId;
    const key = it.event.key;
    const prev = known.get(id(ws, kind, key));
    if (prev) {
      // Seen before: a replay. If it had been matched to another source's fact, it stays out.
      if (prev.stored_key !== key) drop.add(it);
      continue;
    }
    const thread = matchThread(it);
    const sig = sigOf(it);
    const candidates = pool.get(id(ws, kind, thread)) ?? [];
    const window = kind === 'response' ? RESPONSE_WINDOW_MS : TURN_WINDOW_MS;
    let best = -1;
    let bestGap = Infinity;
    for (let n = 0; n < candidates.length; n++) {
      const c = candidates[n]!;
      if (c.source === it.source || c.sig !== sig) continue;
      const gap = Math.abs(c.ts - it.event.ts);
      if (gap <= window && gap < bestGap) {
        best = n;
        bestGap = gap;
      }
    }
    const row = reconcileRow(it);
    if (best >= 0) {
      const c = candidates.splice(best, 1)[0]!;
      row.stored_key = c.stored_key;
      row.matched_key = c.fact_key;
      drop.add(it);
      completes.set(it, { fact_key: c.stored_key, source: c.source });
      const ids: Gained | null =
        it.source !== 'rollout'
          ? null
          : kind === 'response'
            ? {
                responseId: (it.event as ModelResponse).responseId ?? null,
                turnId: (it.event as ModelResponse).turnId ?? null,
              }
            : { responseId: null, turnId: (it.event as TurnStarted).turnId ?? null };
      if (fresh.has(c)) {
        // Both arrived in this batch: the candidate's row is inserted below, already linked.
        c.matched_key = key;
        if (ids) gained.set(`${ws}\u0000${c.stored_key}`, ids);
      } else {
        links.push({ ws, thread: c.match_thread, kind, key: c.fact_key, matched: key });
        // Keep the richer record: the stored OTLP fact gains the session file's ids.
        if (ids && kind === 'response') enrichResponses.push({ ws, key: c.stored_key, ...ids });
        else if (ids) enrichTurns.push({ ws, key: c.stored_key, turnId: ids.turnId });
      }
    } else {
      fresh.add(row);
      const k = id(ws, kind, thread);
      const arr = pool.get(k);
      if (arr) arr.push(row);
      else pool.set(k, [row]);
    }
    known.set(id(ws, kind, key), row);
    inserts.push(row);
  }

  for (const l of links) {
    await db
      .updateTable('fact_reconcile')
      .set({ matched_key: l.matched })
      .where('workspace_id', '=', l.ws)
      .where('match_thread', '=', l.thread)
      .where('kind', '=', l.kind)
      .where('fact_key', '=', l.key)
      .execute();
  }
  for (const e of enrichResponses) {
    await db
      .updateTable('model_requests')
      .set((eb) => ({
        response_id: eb.fn.coalesce('response_id', eb.val(e.responseId)),
        turn_id: eb.fn.coalesce('turn_id', eb.val(e.turnId)),
      }))
      .where('workspace_id', '=', e.ws)
      .where('request_key', '=', e.key)
      .execute();
  }
  for (const e of enrichTurns) {
    await db
      .updateTable('turns')
      .set((eb) => ({ turn_id: eb.fn.coalesce('turn_id', eb.val(e.turnId)) }))
      .where('workspace_id', '=', e.ws)
      .where('turn_key', '=', e.key)
      .execute();
  }
  if (threadStarts.length) await enrichThreads(db, threadStarts);
  return {
    items: startsFirst(drop.size ? items.filter((i) => !drop.has(i)) : items),
    matched: drop.size,
    keys: { spec: FACT_RECONCILE, rows: inserts as unknown as Record<string, unknown>[] },
    gained,
    completes,
  };
}

// A thread row takes its kind from the first event of the batch that names the thread: let that be
// the thread's own thread_started, not a sub-agent's turn rolled up into it.
function startsFirst(items: EnrichedEvent[]): EnrichedEvent[] {
  if (!items.some((i, n) => i.event.kind === 'thread_started' && n > 0)) return items;
  return [
    ...items.filter((i) => i.event.kind === 'thread_started'),
    ...items.filter((i) => i.event.kind !== 'thread_started'),
  ];
}

// A thread row is created by the first event that names the thread; a session file's
// thread_started is the authority on what the thread is. A thread first seen by OTLP, or through a
// sub-agent's events rolled up into it, gains the kind, parent and policies the file states.
async function enrichThreads(db: DbOrTrx, starts: (EnrichedEvent & { event: ThreadStarted })[]): Promise<void> {
  const byWs = new Map<string, Map<string, ThreadStarted>>();
  for (const s of starts) {
    let m = byWs.get(s.workspaceId);
    if (!m) byWs.set(s.workspaceId, (m = new Map()));
    m.set(s.event.threadId, s.event);
  }
  for (const [ws, m] of byWs) {
    const ids = [...m.keys()];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await db
        .selectFrom('threads')
        .select(['thread_id', 'thread_kind', 'source', 'parent_thread_id'])
        .where('workspace_id', '=', ws)
        .where('thread_id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        const e = m.get(r.thread_id)!;
        if (
          r.source === 'rollout' &&
          r.thread_kind === e.threadKind &&
          r.parent_thread_id === (e.parentThreadId ?? null)
        )
          continue;
        await db
          .updateTable('threads')
          .set((eb) => ({
            parent_thread_id: eb.val(e.parentThreadId ?? null),
            approval_policy: eb.fn.coalesce('approval_policy', eb.val(e.approvalPolicy ?? null)),
            sandbox_policy: eb.fn.coalesce('sandbox_policy', eb.val(e.sandboxPolicy ?? null)),
            thread_kind: e.threadKind,
          }))
          .where('workspace_id', '=', ws)
          .where('thread_id', '=', r.thread_id)
          .execute();
      }
    }
  }
}

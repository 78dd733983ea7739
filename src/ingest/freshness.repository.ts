// Each source's freshness per workspace (migration 0045): the newest event time among the facts a
// write stored for the first time, and when. Added to the write's unit of work, so it commits with
// the facts and costs one row per (workspace, source) a group touched; a replay stores nothing new
// and leaves it as it was. Both times only ever move forward (nodes' clocks differ a little).
import type { EnrichedEvent } from '../core/events.js';
import type { InsertPart, InsertSpec } from '../platform/storage/bulk-insert.js';

const later = (col: string) => {
  const [now, old] = [`excluded."${col}"`, `"source_freshness"."${col}"`];
  return `"${col}" = case when ${old} is null or ${now} > ${old} then ${now} else ${old} end`;
};
const FRESHNESS: InsertSpec = {
  table: 'source_freshness',
  columns: ['workspace_id', 'source', 'newest_event_at', 'stored_at'],
  onConflict:
    'on conflict ("workspace_id", "source") do update set ' + `${later('newest_event_at')}, ${later('stored_at')}`,
};

export interface StoredFact {
  workspaceId: string;
  source: string;
  ts: number;
}

export const storedFact = (e: EnrichedEvent): StoredFact => ({
  workspaceId: e.workspaceId,
  source: e.source,
  ts: e.event.ts,
});

/** The freshness rows of newly stored facts, one per (workspace, source), in key order (lock order on PostgreSQL). */
export function freshnessPart(facts: Iterable<StoredFact>, storedAt: number): InsertPart {
  const rows = new Map<string, { workspace_id: string; source: string; newest_event_at: number; stored_at: number }>();
  for (const f of facts) {
    const k = `${f.workspaceId}\u0000${f.source}`;
    const r = rows.get(k);
    if (!r) rows.set(k, { workspace_id: f.workspaceId, source: f.source, newest_event_at: f.ts, stored_at: storedAt });
    else if (f.ts > r.newest_event_at) r.newest_event_at = f.ts;
  }
  return {
    spec: FRESHNESS,
    rows: [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
  };
}

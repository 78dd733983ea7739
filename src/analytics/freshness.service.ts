// The data freshness read: source_freshness (kept by every write that stores a new fact, migration
// 0045), every known source listed whether it sent anything or not.
import type { DbOrTrx } from '../platform/storage/database.js';
import { FRESHNESS_SOURCES, type Freshness } from './freshness.contract.js';

export async function workspaceFreshness(db: DbOrTrx, workspaceId: string, now: number): Promise<Freshness> {
  const rows = await db
    .selectFrom('source_freshness')
    .select(['source', 'newest_event_at', 'stored_at'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  const bySource = new Map(rows.map((r) => [r.source, r]));
  const sources = FRESHNESS_SOURCES.map((source) => {
    const r = bySource.get(source);
    return {
      source,
      newest_event_at: r ? Number(r.newest_event_at) : null,
      stored_at: r?.stored_at == null ? null : Number(r.stored_at),
    };
  });
  const times = sources.flatMap((s) => (s.newest_event_at === null ? [] : [s.newest_event_at]));
  return {
    object: 'codex.freshness',
    as_of: now,
    newest_event_at: times.length ? Math.max(...times) : null,
    sources,
  };
}

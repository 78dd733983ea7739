// The archive as /metrics shows it (app/self-metrics.ts): each workspace's chain head, how far
// the search indexer is behind it, and where each configured SIEM sink is. Read at scrape time:
// one row per workspace and sink.
import type { SinkConfig } from '../config/compliance.schema.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { indexedUpTo } from './reads/search-index.repository.js';
import { sinkStatus } from './sinks/sinks-status.service.js';

export interface ArchiveStatus {
  heads: { workspace_id: string; seq: number; recorded_at: number; unindexed: number }[];
  sinks: { workspace_id: string; sink: string; lag: number; delivered: number; dead_letters: number }[];
}

export async function archiveStatus(db: DbOrTrx, sinks: readonly SinkConfig[]): Promise<ArchiveStatus> {
  const heads = (
    await db
      .selectFrom('compliance_heads')
      .select(['workspace_id', 'seq', 'recorded_at'])
      .orderBy('workspace_id')
      .execute()
  ).map((h) => ({
    workspace_id: h.workspace_id,
    seq: Number(h.seq),
    recorded_at: Number(h.recorded_at),
    unindexed: 0,
  }));
  for (const h of heads) h.unindexed = Math.max(0, h.seq - (await indexedUpTo(db, h.workspace_id)));
  const out: ArchiveStatus['sinks'] = [];
  if (sinks.length)
    for (const h of heads)
      for (const s of await sinkStatus(db, h.workspace_id, sinks))
        out.push({
          workspace_id: h.workspace_id,
          sink: s.name,
          lag: s.lag,
          delivered: s.delivered,
          dead_letters: s.dead_letters,
        });
  return { heads, sinks: out };
}

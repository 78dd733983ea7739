import type { SinkConfig } from '../../config/compliance.schema.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { listSinkCursors } from './sinks.repository.js';

// Where each configured sink is in a workspace's chain: cursor, lag, counters, last error.
export async function sinkStatus(db: DbOrTrx, workspaceId: string, sinks: readonly SinkConfig[]) {
  const head = await getHead(db, workspaceId);
  const cursors = new Map((await listSinkCursors(db, workspaceId)).map((c) => [c.sink, c]));
  return sinks.map((s) => {
    const c = cursors.get(s.name);
    return {
      object: 'compliance.sink',
      name: s.name,
      type: s.type,
      enabled: s.enabled,
      event_types: s.event_types ?? null,
      cursor_seq: c?.seq ?? 0,
      head_seq: head?.seq ?? 0,
      lag: (head?.seq ?? 0) - (c?.seq ?? 0),
      delivered: c?.delivered ?? 0,
      dead_letters: c?.dead_letters ?? 0,
      last_error: c?.last_error ?? null,
      last_error_at: c?.last_error_at ? new Date(Number(c.last_error_at)).toISOString() : null,
    };
  });
}

// The content of session files, one row per content record (see rollout.schema.ts). Insert-or-ignore
// on (workspace, thread, line key): re-reading a file adds nothing.
import type { DbOrTrx } from '../platform/storage/database.js';
import type { RolloutContentTable } from './session-files.tables.js';

export type RolloutContentRow = RolloutContentTable;

// 13 columns: stays under SQLite's 32766 bound parameters per statement.
const CHUNK = 512;

/**
 * Multi-row inserts in power-of-two sizes: a handful of distinct statements, so that the prepared
 * statement cache (platform/storage/database.ts) is not filled with one large statement per row count.
 */
export function* powerOfTwoChunks<T>(rows: T[], max = CHUNK): Generator<T[]> {
  let i = 0;
  while (i < rows.length) {
    let n = max;
    while (n > rows.length - i) n >>= 1;
    yield rows.slice(i, i + n);
    i += n;
  }
}

export async function insertContent(db: DbOrTrx, rows: RolloutContentRow[]): Promise<number> {
  let inserted = 0;
  for (const chunk of powerOfTwoChunks(rows)) {
    const res = await db
      .insertInto('rollout_content')
      .values(chunk)
      .onConflict((oc) => oc.columns(['workspace_id', 'thread_id', 'line_key']).doNothing())
      .executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

export interface ContentQuery {
  workspaceId: string;
  threadId?: string;
  userId?: string;
  fromTs?: number;
  toTs?: number;
  limit?: number;
}

/** Content in time order (for export and tests). */
export async function listContent(db: DbOrTrx, q: ContentQuery): Promise<RolloutContentRow[]> {
  let s = db.selectFrom('rollout_content').selectAll().where('workspace_id', '=', q.workspaceId);
  if (q.threadId)
    s = s.where((eb) => eb.or([eb('thread_id', '=', q.threadId!), eb('attributed_thread_id', '=', q.threadId!)]));
  if (q.userId) s = s.where('user_id', '=', q.userId);
  if (q.fromTs !== undefined) s = s.where('ts', '>=', q.fromTs);
  if (q.toTs !== undefined) s = s.where('ts', '<', q.toTs);
  const rows = await s
    .orderBy('ts')
    .orderBy('thread_id')
    .orderBy('byte_offset')
    .limit(q.limit ?? 10_000)
    .execute();
  return rows.map((r) => ({
    ...r,
    ts: Number(r.ts),
    line_no: Number(r.line_no),
    byte_offset: Number(r.byte_offset),
    ordinal: r.ordinal === null ? null : Number(r.ordinal),
  }));
}

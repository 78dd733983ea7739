// Investigations: records filtered by user, thread, event types, event time and text, in seq
// order with a seq cursor. The (workspace, user|thread, seq) and (workspace, type, ts) indexes
// serve the narrow filters; text matches the record's JSON content, case-insensitively.
import { sql } from 'kysely';
import type { ChainRecord } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { selectRecords, toRecord } from '../chain/chain.repository.js';

export interface SearchFilter {
  userId?: string;
  threadId?: string;
  eventTypes?: string[];
  from?: number; // event time, inclusive
  to?: number; // exclusive
  text?: string;
  afterSeq?: number;
  beforeSeq?: number;
  untilSeq?: number; // the chain head: nothing past it is served
  order: 'asc' | 'desc';
}

const likePattern = (text: string) => '%' + text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c) + '%';

export async function searchRecords(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter,
  limit: number,
): Promise<ChainRecord[]> {
  let q = selectRecords(db).where('r.workspace_id', '=', workspaceId);
  if (f.userId !== undefined) q = q.where('r.user_id', '=', f.userId);
  if (f.threadId !== undefined) q = q.where('r.thread_id', '=', f.threadId);
  if (f.eventTypes?.length) q = q.where('r.event_type', 'in', f.eventTypes);
  if (f.from !== undefined) q = q.where('r.ts', '>=', f.from);
  if (f.to !== undefined) q = q.where('r.ts', '<', f.to);
  if (f.afterSeq !== undefined) q = q.where('r.seq', '>', f.afterSeq);
  if (f.beforeSeq !== undefined) q = q.where('r.seq', '<', f.beforeSeq);
  if (f.untilSeq !== undefined) q = q.where('r.seq', '<=', f.untilSeq);
  if (f.text) q = q.where(sql<boolean>`lower(c.content) like ${likePattern(f.text)} escape '\\'`);
  const rows = await q.orderBy('r.seq', f.order).limit(limit).execute();
  return rows.map((r) => toRecord(r));
}

// Code review bot comments: their facts, the row locks and counted state the ingest recomputes
// them under, and the reaction poller's schedule.
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/storage/database.js';
import type { CrCommentTable } from './code-review.tables.js';
import { chunks } from './code-review.repository.js';

// ---- bot comments ----

export async function insertComments(db: DbOrTrx, rows: CrCommentTable[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const part of chunks(rows)) {
    const res = await db
      .insertInto('cr_comments')
      .values(part)
      .onConflict((oc) => oc.columns(['workspace_id', 'comment_key']).doNothing())
      .returning('comment_key')
      .execute();
    for (const r of res) inserted.add(r.comment_key);
  }
  return inserted;
}

// An edit: takes the newer body's priority unless the comment is deleted or the edit is stale
// (older than the stored version; the same version again is a replay and changes nothing).
export async function updateCommentPriority(
  db: DbOrTrx,
  workspaceId: string,
  key: string,
  priority: number | null,
  updatedAt: number,
): Promise<boolean> {
  const res = await db
    .updateTable('cr_comments')
    .set({ priority, updated_at: updatedAt })
    .where('workspace_id', '=', workspaceId)
    .where('comment_key', '=', key)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('updated_at', '<', updatedAt),
        eb.and([eb('updated_at', '=', updatedAt), eb(eb.fn.coalesce('priority', eb.lit(-1)), '<>', priority ?? -1)]),
      ]),
    )
    .returning('comment_key')
    .execute();
  return res.length > 0;
}

export async function markCommentDeleted(db: DbOrTrx, workspaceId: string, key: string, at: number): Promise<boolean> {
  const res = await db
    .updateTable('cr_comments')
    .set({ deleted_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('comment_key', '=', key)
    .where('deleted_at', 'is', null)
    .returning('comment_key')
    .execute();
  return res.length > 0;
}

// Portable SELECT ... FOR UPDATE: a no-op update takes the row locks on PostgreSQL (and returns the
// committed state once a concurrent writer finishes); SQLite has a single writer anyway. Keys are
// locked in sorted order so that concurrent transactions cannot deadlock on each other's comments.
export async function lockComments(db: DbOrTrx, workspaceId: string, keys: string[]): Promise<CrCommentTable[]> {
  const out: CrCommentTable[] = [];
  for (const part of chunks([...keys].sort())) {
    const rows = await db
      .updateTable('cr_comments')
      .set({ lock_seq: sql`lock_seq + 1` })
      .where('workspace_id', '=', workspaceId)
      .where('comment_key', 'in', part)
      .returningAll()
      .execute();
    out.push(...rows);
  }
  return out;
}

// Writes back the counted state of locked rows (a multi-row upsert: portable bulk update).
export async function saveCountedState(db: DbOrTrx, rows: CrCommentTable[]): Promise<void> {
  for (const part of chunks(rows, 400)) {
    await db
      .insertInto('cr_comments')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'comment_key']).doUpdateSet((eb) => ({
          counted: eb.ref('excluded.counted'),
          counted_priority: eb.ref('excluded.counted_priority'),
          up_count: eb.ref('excluded.up_count'),
          down_count: eb.ref('excluded.down_count'),
          other_count: eb.ref('excluded.other_count'),
          reply_count: eb.ref('excluded.reply_count'),
        })),
      )
      .execute();
  }
}

// The first bot comment of each thread (generic hosts name threads; GitHub threads are keyed by root).
export async function commentKeysByThread(
  db: DbOrTrx,
  workspaceId: string,
  threadKeys: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks(threadKeys)) {
    const res = await db
      .selectFrom('cr_comments')
      .select(['thread_key', 'comment_key'])
      .where('workspace_id', '=', workspaceId)
      .where('thread_key', 'in', part)
      .orderBy('created_at')
      .orderBy('comment_key')
      .execute();
    for (const r of res) if (!out.has(r.thread_key!)) out.set(r.thread_key!, r.comment_key);
  }
  return out;
}

// ---- reaction polling ----

export async function dueForReactionPoll(
  db: DbOrTrx,
  host: string,
  now: number,
  createdAfter: number,
  limit: number,
): Promise<CrCommentTable[]> {
  return db
    .selectFrom('cr_comments')
    .selectAll()
    .where('host', '=', host)
    .where('next_poll_at', '<=', now)
    .where('deleted_at', 'is', null)
    .where('created_at', '>=', createdAfter)
    .orderBy('next_poll_at')
    .orderBy('comment_key')
    .limit(limit)
    .execute();
}

export async function setPollState(
  db: DbOrTrx,
  workspaceId: string,
  key: string,
  s: { etag?: string | null; polledAt: number; nextPollAt: number | null },
): Promise<void> {
  await db
    .updateTable('cr_comments')
    .set({
      ...(s.etag !== undefined ? { reactions_etag: s.etag } : {}),
      polled_at: s.polledAt,
      next_poll_at: s.nextPollAt,
    })
    .where('workspace_id', '=', workspaceId)
    .where('comment_key', '=', key)
    .execute();
}

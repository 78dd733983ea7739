// Replies to and reactions on code review bot comments: their facts and the counts per comment.
import type { DbOrTrx } from '../platform/storage/database.js';
import type { CrReactionTable, CrReplyTable } from './code-review.tables.js';
import { chunks } from './code-review.repository.js';

// ---- replies ----

export async function replyParents(
  db: DbOrTrx,
  workspaceId: string,
  replyKeys: string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const part of chunks(replyKeys)) {
    const res = await db
      .selectFrom('cr_replies')
      .select(['reply_key', 'parent_key'])
      .where('workspace_id', '=', workspaceId)
      .where('reply_key', 'in', part)
      .execute();
    for (const r of res) out.set(r.reply_key, r.parent_key);
  }
  return out;
}

export async function insertReplies(db: DbOrTrx, rows: CrReplyTable[]): Promise<CrReplyTable[]> {
  const inserted: CrReplyTable[] = [];
  for (const part of chunks(rows)) {
    inserted.push(
      ...(await db
        .insertInto('cr_replies')
        .values(part)
        .onConflict((oc) => oc.columns(['workspace_id', 'reply_key']).doNothing())
        .returningAll()
        .execute()),
    );
  }
  return inserted;
}

// Returns the parent of a reply this call deleted (undefined if it was unknown or already deleted).
export async function markReplyDeleted(
  db: DbOrTrx,
  workspaceId: string,
  key: string,
  at: number,
): Promise<{ parent_key: string | null } | undefined> {
  return db
    .updateTable('cr_replies')
    .set({ deleted_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('reply_key', '=', key)
    .where('deleted_at', 'is', null)
    .returning('parent_key')
    .executeTakeFirst();
}

export async function countLiveReplies(
  db: DbOrTrx,
  workspaceId: string,
  parentKeys: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks(parentKeys)) {
    const res = await db
      .selectFrom('cr_replies')
      .select(['parent_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('workspace_id', '=', workspaceId)
      .where('parent_key', 'in', part)
      .where('deleted_at', 'is', null)
      .groupBy('parent_key')
      .execute();
    for (const r of res) out.set(r.parent_key!, Number(r.n));
  }
  return out;
}

// ---- reactions ----

export async function insertReactions(db: DbOrTrx, rows: CrReactionTable[]): Promise<CrReactionTable[]> {
  const inserted: CrReactionTable[] = [];
  for (const part of chunks(rows)) {
    inserted.push(
      ...(await db
        .insertInto('cr_reactions')
        .values(part)
        .onConflict((oc) => oc.columns(['workspace_id', 'comment_key', 'reaction_key']).doNothing())
        .returningAll()
        .execute()),
    );
  }
  return inserted;
}

export async function deleteReactions(
  db: DbOrTrx,
  workspaceId: string,
  commentKey: string,
  reactionKeys: string[],
): Promise<number> {
  let n = 0;
  for (const part of chunks(reactionKeys)) {
    const res = await db
      .deleteFrom('cr_reactions')
      .where('workspace_id', '=', workspaceId)
      .where('comment_key', '=', commentKey)
      .where('reaction_key', 'in', part)
      .returning('reaction_key')
      .execute();
    n += res.length;
  }
  return n;
}

export async function listReactionKeys(db: DbOrTrx, workspaceId: string, commentKey: string): Promise<string[]> {
  const rows = await db
    .selectFrom('cr_reactions')
    .select('reaction_key')
    .where('workspace_id', '=', workspaceId)
    .where('comment_key', '=', commentKey)
    .execute();
  return rows.map((r) => r.reaction_key);
}

export async function countReactionsByClass(
  db: DbOrTrx,
  workspaceId: string,
  commentKeys: string[],
): Promise<Map<string, { up: number; down: number; other: number }>> {
  const out = new Map<string, { up: number; down: number; other: number }>();
  for (const part of chunks(commentKeys)) {
    const res = await db
      .selectFrom('cr_reactions')
      .select(['comment_key', 'class', (eb) => eb.fn.countAll<number>().as('n')])
      .where('workspace_id', '=', workspaceId)
      .where('comment_key', 'in', part)
      .groupBy(['comment_key', 'class'])
      .execute();
    for (const r of res) {
      const c = out.get(r.comment_key) ?? out.set(r.comment_key, { up: 0, down: 0, other: 0 }).get(r.comment_key)!;
      c[r.class as 'up' | 'down' | 'other'] += Number(r.n);
    }
  }
  return out;
}

// Code review facts: deliveries, reviews, bot comments, replies, reactions and pull requests.
// Inserts are insert-or-ignore on natural keys and report what was new (RETURNING), so callers
// count only real changes. Rollup upkeep lives in code-review-rollups.repository.ts.
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/storage/database.js';
import type {
  CrCommentTable,
  CrPullRequestTable,
  CrReactionTable,
  CrReplyTable,
  CrReviewTable,
} from './code-review.tables.js';

const CHUNK = 500;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export async function recordDelivery(
  db: DbOrTrx,
  workspaceId: string,
  deliveryId: string,
  event: string,
  at: number,
): Promise<boolean> {
  const res = await db
    .insertInto('cr_deliveries')
    .values({ workspace_id: workspaceId, delivery_id: deliveryId, event, received_at: at })
    .onConflict((oc) => oc.columns(['workspace_id', 'delivery_id']).doNothing())
    .returning('delivery_id')
    .execute();
  return res.length > 0;
}

// ---- reviews ----

export async function insertReviews(db: DbOrTrx, rows: CrReviewTable[]): Promise<CrReviewTable[]> {
  const inserted: CrReviewTable[] = [];
  for (const part of chunks(rows)) {
    const res = await db
      .insertInto('cr_reviews')
      .values(part)
      .onConflict((oc) => oc.columns(['workspace_id', 'review_key']).doNothing())
      .returningAll()
      .execute();
    inserted.push(...res);
  }
  return inserted;
}

// Returns the review if this call is what removed it from the counts.
export async function markReviewDeleted(
  db: DbOrTrx,
  workspaceId: string,
  key: string,
  at: number,
): Promise<CrReviewTable | undefined> {
  return db
    .updateTable('cr_reviews')
    .set({ deleted_at: at, counted: 0 })
    .where('workspace_id', '=', workspaceId)
    .where('review_key', '=', key)
    .where('counted', '=', 1)
    .returningAll()
    .executeTakeFirst();
}

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

export async function commentExists(db: DbOrTrx, workspaceId: string, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(keys)) {
    const res = await db
      .selectFrom('cr_comments')
      .select('comment_key')
      .where('workspace_id', '=', workspaceId)
      .where('comment_key', 'in', part)
      .execute();
    for (const r of res) found.add(r.comment_key);
  }
  return found;
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

// ---- pull requests ----

export async function upsertPullRequest(db: DbOrTrx, row: CrPullRequestTable): Promise<void> {
  await db
    .insertInto('cr_pull_requests')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'pr_key']).doUpdateSet((eb) => ({
        // The latest event wins the state; each timestamp keeps its first sighting.
        state: sql<string>`case when excluded.updated_at >= cr_pull_requests.updated_at
          then excluded.state else cr_pull_requests.state end`,
        updated_at: sql<number>`case when excluded.updated_at >= cr_pull_requests.updated_at
          then excluded.updated_at else cr_pull_requests.updated_at end`,
        opened_at: eb.fn.coalesce('cr_pull_requests.opened_at', 'excluded.opened_at'),
        closed_at: eb.fn.coalesce('cr_pull_requests.closed_at', 'excluded.closed_at'),
        merged_at: eb.fn.coalesce('cr_pull_requests.merged_at', 'excluded.merged_at'),
      })),
    )
    .execute();
}

// ---- people ----

// Users named by GitHub login (case-insensitive) or by email, in one query.
export async function usersByLoginOrEmail(
  db: DbOrTrx,
  workspaceId: string,
  logins: string[],
  emails: string[],
): Promise<{ byLogin: Map<string, string>; byEmail: Map<string, string> }> {
  const byLogin = new Map<string, string>();
  const byEmail = new Map<string, string>();
  const l = [...new Set(logins.map((x) => x.toLowerCase()))];
  const e = [...new Set(emails.map((x) => x.toLowerCase()))];
  if (l.length === 0 && e.length === 0) return { byLogin, byEmail };
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'github_login'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => {
      const ors = [];
      if (l.length) ors.push(eb(sql`lower(github_login)`, 'in', l));
      if (e.length) ors.push(eb('email', 'in', e));
      return eb.or(ors);
    })
    .execute();
  for (const r of rows) {
    if (r.github_login) byLogin.set(r.github_login.toLowerCase(), r.id);
    byEmail.set(r.email.toLowerCase(), r.id);
  }
  return { byLogin, byEmail };
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

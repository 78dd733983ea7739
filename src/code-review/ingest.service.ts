// The code review ingest use-case, shared by the GitHub webhook, the generic JSON endpoint and the
// reaction poller: facts in, one transaction out. Fact rows are idempotent on their natural keys;
// every bot comment that a batch touches is then recomputed from the stored facts and the rollups
// receive the difference from what the comment contributed before (see core/code-review.ts).
import {
  classifyReaction,
  contributionDelta,
  isBotLogin,
  sameState,
  type CodeReviewFact,
  type CommentFact,
  type CommentState,
  type Person,
  type Priority,
  type ReactionClasses,
  type ReactionFact,
  type ReviewFact,
} from '../core/code-review.js';
import { dayOf } from '../core/time.js';
import { freshnessPart } from '../ingest/index.js';
import { insertMany } from '../platform/storage/bulk-insert.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import type { CrCommentTable } from './code-review.tables.js';
import { addCodeReviewDeltas, type CrDelta } from './rollups.repository.js';
import * as repo from './code-review.repository.js';
import * as commentRepo from './code-review-comments.repository.js';
import * as replyRepo from './code-review-replies.repository.js';

export interface CodeReviewEnv {
  botLogins: readonly string[];
  reactionClasses: ReactionClasses;
  now: number;
}

export interface ApplyResult {
  reviews: number; // newly counted reviews
  comments: number; // newly stored bot comments
  replies: number;
  reactions_added: number;
  reactions_removed: number;
  edits: number;
  deletions: number;
  pull_requests: number;
  unresolved_replies: number; // replies naming a thread with no known bot comment
}

const emptyResult = (): ApplyResult => ({
  reviews: 0,
  comments: 0,
  replies: 0,
  reactions_added: 0,
  reactions_removed: 0,
  edits: 0,
  deletions: 0,
  pull_requests: 0,
  unresolved_replies: 0,
});

export async function applyCodeReviewFacts(
  db: Db,
  workspaceId: string,
  facts: CodeReviewFact[],
  env: CodeReviewEnv,
  delivery?: { id: string; event: string },
): Promise<{ duplicate: boolean; result: ApplyResult }> {
  return db.transaction().execute(async (trx) => {
    if (delivery && !(await repo.recordDelivery(trx, workspaceId, delivery.id, delivery.event, env.now)))
      return { duplicate: true, result: emptyResult() };
    return { duplicate: false, result: await applyFacts(trx, workspaceId, facts, env) };
  });
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
}

type PeopleLookup = (p: Person) => string | null;

async function lookupPeople(db: DbOrTrx, ws: string, people: Person[]): Promise<PeopleLookup> {
  const logins = people.flatMap((p) => (p.login ? [p.login] : []));
  const emails = people.flatMap((p) => (p.email ? [p.email] : []));
  const { byLogin, byEmail } = await repo.usersByLoginOrEmail(db, ws, logins, emails);
  return (p) =>
    (p.login ? byLogin.get(p.login.toLowerCase()) : undefined) ??
    (p.email ? byEmail.get(p.email.toLowerCase()) : undefined) ??
    null;
}

export async function applyFacts(
  db: DbOrTrx,
  ws: string,
  facts: CodeReviewFact[],
  env: CodeReviewEnv,
): Promise<ApplyResult> {
  const result = emptyResult();
  const deltas: CrDelta[] = [];
  const touched = new Set<string>();
  const reviews = facts.filter((f): f is ReviewFact => f.kind === 'review');
  const comments = facts.filter((f): f is CommentFact => f.kind === 'comment');
  const bot = comments.filter((c) => c.bot);
  const others = comments.filter((c) => !c.bot && !isBotLogin(c.author.login, env.botLogins));
  const reactions = facts.filter(
    (f): f is ReactionFact => f.kind === 'reaction' && !isBotLogin(f.user.login, env.botLogins),
  );
  const who = await lookupPeople(db, ws, [...others.map((c) => c.author), ...reactions.map((r) => r.user)]);

  // Reviews: counted once, in the bucket of their submission.
  const reviewRow = (f: ReviewFact, deleted: boolean) => ({
    workspace_id: ws,
    review_key: f.key,
    host: f.host,
    repository: f.repository,
    pr_number: f.pullRequest,
    author_login: f.author.login ?? null,
    created_at: f.ts,
    day: dayOf(f.ts),
    deleted_at: deleted ? env.now : null,
    counted: deleted ? 0 : 1,
  });
  const newReviews = await repo.insertReviews(
    db,
    uniqueBy(
      reviews.filter((f) => !f.deleted),
      (f) => f.key,
    ).map((f) => reviewRow(f, false)),
  );
  for (const r of newReviews)
    deltas.push({ workspaceId: ws, day: r.day, repository: r.repository, counters: { pull_request_reviews: 1 } });
  result.reviews = newReviews.length;
  for (const f of reviews.filter((x) => x.deleted)) {
    const gone = await repo.markReviewDeleted(db, ws, f.key, env.now);
    if (gone) {
      deltas.push({
        workspaceId: ws,
        day: gone.day,
        repository: gone.repository,
        counters: { pull_request_reviews: -1 },
      });
      result.deletions++;
    } else await repo.insertReviews(db, [reviewRow(f, true)]); // a tombstone: a late "created" must not count it
  }

  // Bot comments (findings). New rows start uncounted; the recompute below counts them.
  const commentRow = (f: CommentFact, deleted: boolean): CrCommentTable => ({
    workspace_id: ws,
    comment_key: f.key,
    host: f.host,
    comment_type: f.commentType,
    external_id: f.externalId,
    repository: f.repository,
    pr_number: f.pullRequest,
    review_key: f.reviewKey ?? null,
    thread_key: f.threadKey ?? null,
    author_login: f.author.login ?? null,
    created_at: f.ts,
    updated_at: f.updatedAt,
    day: dayOf(f.ts),
    priority: f.priority,
    deleted_at: deleted ? env.now : null,
    counted: 0,
    counted_priority: null,
    up_count: 0,
    down_count: 0,
    other_count: 0,
    reply_count: 0,
    lock_seq: 0,
    reactions_etag: null,
    polled_at: null,
    next_poll_at: deleted ? null : f.ts,
  });
  const upserts = bot.filter((f) => !f.deleted);
  const first = uniqueBy(upserts, (f) => f.key);
  const inserted = await commentRepo.insertComments(
    db,
    first.map((f) => commentRow(f, false)),
  );
  for (const k of inserted) touched.add(k);
  result.comments = inserted.size;
  const firstSet = new Set(first);
  for (const f of upserts) {
    if (inserted.has(f.key) && firstSet.has(f)) continue;
    if (await commentRepo.updateCommentPriority(db, ws, f.key, f.priority, f.updatedAt)) {
      touched.add(f.key);
      result.edits++;
    }
  }
  for (const f of bot.filter((x) => x.deleted)) {
    if (await commentRepo.markCommentDeleted(db, ws, f.key, env.now)) {
      touched.add(f.key);
      result.deletions++;
    } else await commentRepo.insertComments(db, [commentRow(f, true)]);
  }

  // Replies: other people's comments answering a bot comment (directly, through a reply chain, or
  // in a named thread). A reply may arrive before its parent: it is kept and counted when it comes.
  if (others.length) {
    const viaReply = await replyRepo.replyParents(db, ws, [
      ...new Set(others.flatMap((c) => (c.inReplyToKey ? [c.inReplyToKey] : []))),
    ]);
    const viaThread = await commentRepo.commentKeysByThread(db, ws, [
      ...new Set(others.flatMap((c) => (!c.inReplyToKey && c.threadKey ? [c.threadKey] : []))),
    ]);
    const parentOf = (c: CommentFact): string | null => {
      if (c.inReplyToKey) return viaReply.has(c.inReplyToKey) ? (viaReply.get(c.inReplyToKey) ?? null) : c.inReplyToKey;
      return c.threadKey ? (viaThread.get(c.threadKey) ?? null) : null;
    };
    const replyRow = (c: CommentFact, parent: string | null, deleted: boolean) => ({
      workspace_id: ws,
      reply_key: c.key,
      parent_key: parent,
      author_login: c.author.login ?? null,
      author_email: c.author.email ?? null,
      user_id: who(c.author),
      created_at: c.ts,
      deleted_at: deleted ? env.now : null,
    });
    const live = uniqueBy(
      others.filter((c) => !c.deleted),
      (c) => c.key,
    ).flatMap((c) => {
      const parent = parentOf(c);
      if (!parent) result.unresolved_replies++;
      return parent ? [replyRow(c, parent, false)] : [];
    });
    for (const r of await replyRepo.insertReplies(db, live)) {
      touched.add(r.parent_key!);
      result.replies++;
    }
    for (const c of others.filter((x) => x.deleted)) {
      const gone = await replyRepo.markReplyDeleted(db, ws, c.key, env.now);
      if (gone) {
        if (gone.parent_key) touched.add(gone.parent_key);
        result.deletions++;
      } else await replyRepo.insertReplies(db, [replyRow(c, parentOf(c), true)]);
    }
  }

  // Reactions sent by a code host (GitHub reactions come from the poller, see syncReactions).
  const added = await replyRepo.insertReactions(
    db,
    uniqueBy(
      reactions.filter((r) => !r.removed),
      (r) => `${r.commentKey}\u0000${r.key}`,
    ).map((r) => ({
      workspace_id: ws,
      comment_key: r.commentKey,
      reaction_key: r.key,
      content: r.content,
      class: classifyReaction(r.content, env.reactionClasses),
      user_login: r.user.login ?? null,
      user_id: who(r.user),
      created_at: r.ts,
    })),
  );
  for (const r of added) touched.add(r.comment_key);
  result.reactions_added = added.length;
  for (const r of reactions.filter((x) => x.removed)) {
    if (await replyRepo.deleteReactions(db, ws, r.commentKey, [r.key])) {
      touched.add(r.commentKey);
      result.reactions_removed++;
    }
  }

  for (const f of facts) {
    if (f.kind !== 'pull_request') continue;
    await repo.upsertPullRequest(db, {
      workspace_id: ws,
      pr_key: f.key,
      host: f.host,
      repository: f.repository,
      pr_number: f.pullRequest,
      state: f.action === 'reopened' ? 'open' : f.action === 'opened' ? 'open' : f.action,
      opened_at: f.action === 'opened' ? f.ts : null,
      closed_at: f.action === 'closed' || f.action === 'merged' ? f.ts : null,
      merged_at: f.action === 'merged' ? f.ts : null,
      updated_at: f.ts,
    });
    result.pull_requests++;
  }

  deltas.push(...(await recompute(db, ws, [...touched])));
  await addCodeReviewDeltas(db, deltas);
  // A batch that changed something makes Code Review's freshness (a re-delivery changes nothing).
  if (Object.values(result).some((n) => n > 0) && facts.length)
    await insertMany(db, [
      freshnessPart(
        [{ workspaceId: ws, source: 'code_review', ts: facts.reduce((m, f) => (f.ts > m ? f.ts : m), facts[0].ts) }],
        env.now,
      ),
    ]);
  return result;
}

const stateOf = (r: CrCommentTable): CommentState => ({
  counted: r.counted === 1,
  priority: r.counted_priority === null ? null : (Number(r.counted_priority) as Priority),
  up: Number(r.up_count),
  down: Number(r.down_count),
  other: Number(r.other_count),
  replies: Number(r.reply_count),
});

// Locks the comments, recounts their replies and reactions, stores the new counted state and
// returns the rollup differences. Unknown keys (replies or reactions to comments not seen yet) skip.
export async function recompute(db: DbOrTrx, ws: string, keys: string[]): Promise<CrDelta[]> {
  if (keys.length === 0) return [];
  const rows = await commentRepo.lockComments(db, ws, keys);
  const live = rows.filter((r) => r.deleted_at === null).map((r) => r.comment_key);
  const replies = await replyRepo.countLiveReplies(db, ws, live);
  const reactions = await replyRepo.countReactionsByClass(db, ws, live);
  const deltas: CrDelta[] = [];
  const changed: CrCommentTable[] = [];
  for (const r of rows) {
    const prev = stateOf(r);
    const counted = r.deleted_at === null;
    const rc = reactions.get(r.comment_key);
    const next: CommentState = counted
      ? {
          counted,
          priority: r.priority === null ? null : (Number(r.priority) as Priority),
          up: rc?.up ?? 0,
          down: rc?.down ?? 0,
          other: rc?.other ?? 0,
          replies: replies.get(r.comment_key) ?? 0,
        }
      : { counted, priority: null, up: 0, down: 0, other: 0, replies: 0 };
    if (sameState(prev, next)) continue;
    const d = contributionDelta(prev, next);
    if (d) deltas.push({ workspaceId: ws, day: Number(r.day), repository: r.repository, counters: d });
    changed.push({
      ...r,
      counted: next.counted ? 1 : 0,
      counted_priority: next.priority,
      up_count: next.up,
      down_count: next.down,
      other_count: next.other,
      reply_count: next.replies,
    });
  }
  await commentRepo.saveCountedState(db, changed);
  return deltas;
}

export interface PolledReaction {
  key: string;
  content: string;
  user: Person;
  ts: number;
}

// Replaces one comment's reactions with the list a code host returned: new ones are added,
// missing ones removed, and the comment's counts adjusted. Returns what changed.
export async function syncReactions(
  db: Db,
  ws: string,
  commentKey: string,
  list: PolledReaction[],
  env: CodeReviewEnv,
): Promise<{ added: number; removed: number }> {
  return db.transaction().execute(async (trx) => {
    const [row] = await commentRepo.lockComments(trx, ws, [commentKey]);
    if (!row) return { added: 0, removed: 0 };
    const wanted = uniqueBy(
      list.filter((r) => !isBotLogin(r.user.login, env.botLogins)),
      (r) => r.key,
    );
    const have = new Set(await replyRepo.listReactionKeys(trx, ws, commentKey));
    const want = new Set(wanted.map((r) => r.key));
    const toAdd = wanted.filter((r) => !have.has(r.key));
    const toRemove = [...have].filter((k) => !want.has(k));
    if (toAdd.length === 0 && toRemove.length === 0) return { added: 0, removed: 0 };
    const who = await lookupPeople(
      trx,
      ws,
      toAdd.map((r) => r.user),
    );
    const added = await replyRepo.insertReactions(
      trx,
      toAdd.map((r) => ({
        workspace_id: ws,
        comment_key: commentKey,
        reaction_key: r.key,
        content: r.content,
        class: classifyReaction(r.content, env.reactionClasses),
        user_login: r.user.login ?? null,
        user_id: who(r.user),
        created_at: r.ts,
      })),
    );
    const removed = await replyRepo.deleteReactions(trx, ws, commentKey, toRemove);
    await addCodeReviewDeltas(trx, await recompute(trx, ws, [commentKey]));
    return { added: added.length, removed };
  });
}

// Code review facts: deliveries, reviews, pull requests and the people they name. Bot comments are
// in code-review-comments.repository.ts, replies and reactions in code-review-replies.repository.ts.
// Inserts are insert-or-ignore on natural keys and report what was new (RETURNING), so callers
// count only real changes. Rollup upkeep lives in rollups.repository.ts.
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/storage/database.js';
import type { CrPullRequestTable, CrReviewTable } from './code-review.tables.js';

const CHUNK = 500;

export function chunks<T>(rows: T[], size = CHUNK): T[][] {
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

// The dashboard's reads about people: one user's threads (GET .../users/:user_id/threads) and the
// seat view (GET .../adoption). A member reaches only their own threads; anyone else's is a 404 to
// them, as if the person did not exist (core/authz.ts gives the route reach `own`).
import { StewardError } from '../core/errors.js';
import { nanoToUnits } from '../core/pricing.js';
import { decodeCursor, encodeCursor } from '../core/query-params.js';
import { DAY_MS, dayOf, weekOf } from '../core/time.js';
import type { Db } from '../platform/storage/database.js';
import { findUserById } from '../platform/tenancy/users.repository.js';
import {
  activitySpans,
  countedThreads,
  machinesPerUser,
  recentTurns,
  seats,
  type ThreadCounters,
  threadCounters,
  type ThreadRow,
  userThreads,
  usersWithKeys,
  usersWithSignIn,
} from './people.repository.js';
import type { Page } from './usage.service.js';

export interface ThreadsQuery {
  start: number; // ms, inclusive
  end: number; // ms, exclusive
  limit: number;
  after?: string;
}

/** Days without activity after which a seat counts as inactive (the adoption view's three columns). */
export const INACTIVE_DAYS = [14, 30, 60] as const;

export async function userThreadsPage(
  db: Db,
  ws: string,
  userId: string,
  reach: readonly string[] | null,
  q: ThreadsQuery,
): Promise<Page<Record<string, unknown>>> {
  const user = await findUserById(db, userId);
  if (!user || user.workspace_id !== ws || (reach && !reach.includes(userId)))
    throw new StewardError('not_found', `no user ${userId}`);
  const c = q.after ? decodeCursor(q.after, ['t', 'i'], { t: (v) => Number.isSafeInteger(v) }) : null;
  let after = c ? { at: Number(c.t), id: String(c.i) } : null;
  // Helper threads (title generation) are filtered out after the read, so read until the page is
  // full: one extra row tells whether there is more.
  const page: (ThreadRow & ThreadCounters)[] = [];
  for (;;) {
    const want = q.limit + 1 - page.length;
    const rows = await userThreads(db, ws, userId, q.start, q.end, after, want * 2);
    if (rows.length === 0) break;
    const counters = new Map(
      (
        await threadCounters(
          db,
          ws,
          rows.map((r) => r.thread_id),
        )
      ).map((n) => [n.thread_id, n]),
    );
    // Every week any of these threads was active in (a thread without turns has no counted turn).
    const withTurns = rows.filter((r) => counters.get(r.thread_id)!.turns > 0);
    const weeks = new Set<number>();
    for (const r of withTurns) {
      const last = Math.max(r.first_seen_at, counters.get(r.thread_id)!.last_turn_at ?? 0);
      for (let w = weekOf(r.first_seen_at); w <= weekOf(last); w++) weeks.add(w);
    }
    const ids = withTurns.map((r) => r.thread_id);
    const counted = await countedThreads(db, ws, [...weeks], ids);
    for (const r of rows)
      if (counted.has(r.thread_id) && page.length <= q.limit) page.push({ ...r, ...counters.get(r.thread_id)! });
    const tail = rows[rows.length - 1];
    after = { at: tail.first_seen_at, id: tail.thread_id };
    if (page.length > q.limit || rows.length < want * 2) break;
  }
  const more = page.length > q.limit;
  page.length = Math.min(page.length, q.limit);
  const data = page.map((n) => ({
    object: 'codex.thread',
    thread_id: n.thread_id,
    user_id: userId,
    client_id: n.client_id,
    model: n.model,
    host_name: n.host_name,
    started_at: Math.floor(n.first_seen_at / 1000),
    last_activity_at: Math.floor(Math.max(n.first_seen_at, n.last_turn_at ?? 0) / 1000),
    turns: n.turns,
    model_requests: n.requests,
    credits: nanoToUnits(n.credits_n),
    text_total_tokens: n.input_tokens + n.output_tokens,
  }));
  const last = page[page.length - 1];
  return {
    object: 'page',
    data,
    has_more: more,
    next_page: more ? encodeCursor({ t: last.first_seen_at, i: last.thread_id }) : null,
  };
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Seats and activation at `now`: every person (removed users and service identities left out)
 * with whether they hold a working key or can sign in, their first and last active day, the days
 * from being added to first use, the machines they send from and their turns in the last 30 days.
 */
export async function adoption(db: Db, ws: string, now: number, emails: { show: boolean }) {
  const today = dayOf(now);
  const [people, keyed, signIn, spans, machines, turns30] = await Promise.all([
    seats(db, ws),
    usersWithKeys(db, ws, now),
    usersWithSignIn(db, ws),
    activitySpans(db, ws),
    machinesPerUser(db, ws),
    recentTurns(db, ws, today - 29, today + 1),
  ]);
  const span = new Map(spans.map((s) => [s.user_id, s]));
  const users = people.map((u) => {
    const s = span.get(u.id);
    return {
      user_id: u.id,
      email: emails.show ? u.email : null,
      role: u.role,
      added_at: Math.floor(u.created_at / 1000),
      has_key: keyed.has(u.id),
      has_sign_in: signIn.has(u.id),
      first_active_at: s ? (s.first_day * DAY_MS) / 1000 : null,
      last_active_at: s ? (s.last_day * DAY_MS) / 1000 : null,
      // A user first seen through ingest is added the day they were first active: 0 days.
      days_to_first_use: s ? Math.max(0, s.first_day - dayOf(u.created_at)) : null,
      idle_days: s ? today - s.last_day : null,
      machines: machines.get(u.id) ?? 0,
      turns_30d: turns30.get(u.id) ?? 0,
    };
  });
  const active = users.filter((u) => u.idle_days !== null);
  const inactive = Object.fromEntries(
    INACTIVE_DAYS.map((d) => [`${d}`, active.filter((u) => u.idle_days! >= d).length]),
  ) as Record<`${(typeof INACTIVE_DAYS)[number]}`, number>;
  return {
    object: 'codex.adoption',
    as_of: Math.floor(now / 1000),
    seats: users.length,
    with_key: users.filter((u) => u.has_key).length,
    with_sign_in: users.filter((u) => u.has_sign_in).length,
    activated: active.length,
    never_active: users.filter((u) => u.idle_days === null && (u.has_key || u.has_sign_in)).length,
    active_last_14_days: active.length - inactive['14'],
    inactive,
    median_days_to_first_use: median(active.map((u) => u.days_to_first_use!)),
    users,
  };
}

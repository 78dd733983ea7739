// The dashboard's reads about people: one user's threads (GET .../users/:user_id/threads) and the
// seat view (GET .../adoption: its figures; GET .../adoption/seats: its seats, a page at a time). A
// member reaches only their own threads; anyone else's is a 404 to them, as if the person did not
// exist (core/authz.ts gives the route reach `own`).
import { StewardError } from '../core/errors.js';
import { nanoToUnits } from '../core/pricing.js';
import { decodeCursor, encodeCursor } from '../core/query-params.js';
import { DAY_MS, dayOf, weekOf } from '../core/time.js';
import type { Db } from '../platform/storage/database.js';
import { findUserById } from '../platform/tenancy/users.repository.js';
import {
  countedThreads,
  machinesPerUser,
  recentTurns,
  type SeatCounts,
  type SeatPageQuery,
  seatCounts,
  seatPage,
  type ThreadCounters,
  threadCounters,
  type ThreadRow,
  userThreads,
} from './people.repository.js';
import type { Page } from './usage.service.js';

export interface ThreadsQuery {
  start: number; // ms, inclusive
  end: number; // ms, exclusive
  now: number;
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
  // full: one extra row tells whether there is more. Which candidates count is asked first (primary
  // key probes of the week sets); the turns and requests are then summed for the page's threads only.
  const page: (ThreadRow & ThreadCounters)[] = [];
  for (;;) {
    const want = q.limit + 1 - page.length;
    const rows = await userThreads(db, ws, userId, q.start, q.end, after, want * 2);
    if (rows.length === 0) break;
    // A counted turn puts its thread in the set of its week: a week from the thread's first up to now.
    const weeks: number[] = [];
    const lastWeek = Math.max(weekOf(q.now), weekOf(rows[0].first_seen_at));
    for (let w = weekOf(rows[rows.length - 1].first_seen_at); w <= lastWeek; w++) weeks.push(w);
    const counted = await countedThreads(
      db,
      ws,
      weeks,
      rows.map((r) => r.thread_id),
    );
    const kept = rows.filter((r) => counted.has(r.thread_id)).slice(0, want);
    const counters = new Map(
      (
        await threadCounters(
          db,
          ws,
          kept.map((r) => r.thread_id),
        )
      ).map((n) => [n.thread_id, n]),
    );
    for (const r of kept) page.push({ ...r, ...counters.get(r.thread_id)! });
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

/** The median of values given with their counts (null: none). */
function weightedMedian(counts: [value: number, n: number][]): number | null {
  const sorted = counts.filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((t, [, n]) => t + n, 0);
  if (total === 0) return null;
  // The values at positions floor((total-1)/2) and floor(total/2), 0-based: the middle one or two.
  const at = (i: number) => {
    let seen = 0;
    for (const [v, n] of sorted) if ((seen += n) > i) return v;
    return sorted[sorted.length - 1][0];
  };
  return (at((total - 1) >> 1) + at(total >> 1)) / 2;
}

/** Days from being added to first use, in the buckets the seat view counts: [label, from, to]. */
export const FIRST_USE_BUCKETS = [
  ['0', 0, 0],
  ['1-7', 1, 7],
  ['8-30', 8, 30],
  ['31+', 31, Number.POSITIVE_INFINITY],
] as const;

/**
 * The seat view's figures at `now`, from one grouped read: seats (removed users and service identities
 * left out), with a working key, able to sign in, ever active, never active (a key or a sign-in, no
 * usage), inactive N days, and the days from being added to first use (median and buckets).
 */
export async function adoptionSummary(db: Db, ws: string, now: number) {
  const today = dayOf(now);
  const groups = await seatCounts(db, ws, now, today);
  const sum = (f: (g: SeatCounts) => boolean) => groups.reduce((n, g) => n + (f(g) ? g.seats : 0), 0);
  const activated = sum((g) => g.idle !== null);
  const inactive = Object.fromEntries(
    INACTIVE_DAYS.map((d) => [`${d}`, sum((g) => g.idle !== null && g.idle >= d)]),
  ) as Record<`${(typeof INACTIVE_DAYS)[number]}`, number>;
  const firstUse = groups.filter((g) => g.daysToFirstUse !== null);
  return {
    object: 'codex.adoption' as const,
    as_of: Math.floor(now / 1000),
    seats: sum(() => true),
    with_key: sum((g) => g.keyed),
    with_sign_in: sum((g) => g.signed),
    set_up: sum((g) => g.keyed || g.signed),
    activated,
    never_active: sum((g) => g.idle === null && (g.keyed || g.signed)),
    active_last_14_days: activated - inactive['14'],
    inactive,
    median_days_to_first_use: weightedMedian(firstUse.map((g) => [g.daysToFirstUse!, g.seats])),
    days_to_first_use: Object.fromEntries(
      FIRST_USE_BUCKETS.map(([label, from, to]) => [
        label,
        firstUse.reduce((n, g) => n + (g.daysToFirstUse! >= from && g.daysToFirstUse! <= to ? g.seats : 0), 0),
      ]),
    ) as Record<(typeof FIRST_USE_BUCKETS)[number][0], number>,
  };
}

/**
 * One page of seats in a state, sorted on the server, each with whether they hold a working key or can
 * sign in, their first and last active day, the days from being added to first use, and (read for
 * this page's people only) the machines they send from and their turns in the last 30 days.
 */
export async function adoptionSeats(db: Db, ws: string, now: number, q: SeatPageQuery, emails: { show: boolean }) {
  const today = dayOf(now);
  const { rows, total } = await seatPage(db, ws, now, today, { ...q, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const ids = page.map((r) => r.id);
  const [machines, turns30] = await Promise.all([
    machinesPerUser(db, ws, ids),
    recentTurns(db, ws, ids, today - 29, today + 1),
  ]);
  const more = rows.length > q.limit;
  return {
    object: 'page' as const,
    data: page.map((u) => ({
      user_id: u.id,
      email: emails.show ? u.email : null,
      role: u.role,
      added_at: Math.floor(u.created_at / 1000),
      has_key: u.has_key,
      has_sign_in: u.has_sign_in,
      first_active_at: u.first_day === null ? null : (u.first_day * DAY_MS) / 1000,
      last_active_at: u.last_day === null ? null : (u.last_day * DAY_MS) / 1000,
      // A user first seen through ingest is added the day they were first active: 0 days.
      days_to_first_use: u.first_day === null ? null : Math.max(0, u.first_day - dayOf(u.created_at)),
      idle_days: u.last_day === null ? null : today - u.last_day,
      machines: machines.get(u.id) ?? 0,
      turns_30d: turns30.get(u.id) ?? 0,
    })),
    has_more: more,
    next_offset: more ? q.offset + q.limit : null,
    // A page past the last row has no row to carry the count; the count is then of the rows before it.
    total:
      page.length || q.offset === 0 ? total : (await seatPage(db, ws, now, today, { ...q, offset: 0, limit: 1 })).total,
  };
}

// Reads about people for the dashboard: one user's threads (thread facts, newest first) with their
// turns and tokens, and the seat view (who holds a key or has signed in, when each was first and
// last active, from how many machines): its counts in one grouped read, its seats a page at a time.
// Indexes: migration 0031.
import { containsIgnoringCase } from '../platform/storage/dialect.js';
import { sql } from 'kysely';
import type { DbOrTrx } from '../platform/storage/database.js';

export interface ThreadRow {
  thread_id: string;
  client_id: string;
  model: string | null;
  host_name: string | null;
  first_seen_at: number;
}

/** The user's threads first seen in [from, to), newest first, after the cursor (first_seen_at, thread_id). */
export async function userThreads(
  db: DbOrTrx,
  ws: string,
  userId: string,
  from: number,
  to: number,
  after: { at: number; id: string } | null,
  limit: number,
): Promise<ThreadRow[]> {
  let q = db
    .selectFrom('threads')
    .select(['thread_id', 'client_id', 'model', 'host_name', 'first_seen_at'])
    .where('workspace_id', '=', ws)
    .where('user_id', '=', userId)
    // As the rollups count threads: a helper thread (title generation, a sub-agent) is none.
    .where('thread_kind', '=', 'user')
    .where('first_seen_at', '>=', from)
    .where('first_seen_at', '<', to);
  // A row-value bound walks the index (workspace, user, first_seen_at, thread_id) backwards from the
  // cursor; the same bound as an OR made PostgreSQL filter every newer row first (76 ms 500 deep).
  if (after) q = q.where((eb) => eb(eb.refTuple('first_seen_at', 'thread_id'), '<', eb.tuple(after.at, after.id)));
  const rows = await q.orderBy('first_seen_at', 'desc').orderBy('thread_id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, first_seen_at: Number(r.first_seen_at) }));
}

/**
 * Which of these threads the rollups count as threads: those with a counted turn, which put the
 * thread in the set of some week it was active in. The thread row's kind cannot tell in every
 * store: a title-generation thread stored before ingest corrected the kind
 * (ingest/thread-kind.repository.ts) says 'user' when its start event came before its only
 * (title) prompt. Asked as "any of these weeks, any of these threads": both IN lists walk the set's
 * primary key (workspace, week, thread) on each database; a row-value IN list of (week, thread)
 * pairs made PostgreSQL scan the workspace's set (60 ms for a page of 50).
 */
export async function countedThreads(
  db: DbOrTrx,
  ws: string,
  weeks: readonly number[],
  threadIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  if (weeks.length === 0) return out;
  for (let i = 0; i < threadIds.length; i += 500) {
    const rows = await db
      .selectFrom('thread_week_set')
      .select('thread_id')
      .where('workspace_id', '=', ws)
      .where('bucket', 'in', [...weeks])
      .where('thread_id', 'in', threadIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.thread_id);
  }
  return out;
}

export interface ThreadCounters {
  thread_id: string;
  turns: number;
  last_turn_at: number | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  credits_n: number;
}

/** Turns and model requests of these threads (one page of them, so a short IN list). */
export async function threadCounters(db: DbOrTrx, ws: string, threadIds: string[]): Promise<ThreadCounters[]> {
  if (threadIds.length === 0) return [];
  const [turns, requests] = await Promise.all([
    db
      .selectFrom('turns')
      .select((eb) => ['thread_id', eb.fn.countAll<number>().as('turns'), eb.fn.max('ts').as('last_turn_at')])
      .where('workspace_id', '=', ws)
      .where('thread_id', 'in', threadIds)
      .groupBy('thread_id')
      .execute(),
    db
      .selectFrom('model_requests')
      .select((eb) => [
        'thread_id',
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>('input_tokens').as('input_tokens'),
        eb.fn.sum<number>('output_tokens').as('output_tokens'),
        eb.fn.sum<number>('credits_n').as('credits_n'),
      ])
      .where('workspace_id', '=', ws)
      .where('thread_id', 'in', threadIds)
      .groupBy('thread_id')
      .execute(),
  ]);
  const byId = new Map(threadIds.map((id) => [id, zeroCounters(id)]));
  for (const t of turns) {
    const c = byId.get(t.thread_id)!;
    c.turns = Number(t.turns);
    c.last_turn_at = t.last_turn_at === null ? null : Number(t.last_turn_at);
  }
  for (const r of requests) {
    const c = byId.get(r.thread_id)!;
    c.requests = Number(r.requests);
    c.input_tokens = Number(r.input_tokens);
    c.output_tokens = Number(r.output_tokens);
    c.credits_n = Number(r.credits_n);
  }
  return [...byId.values()];
}

const zeroCounters = (thread_id: string): ThreadCounters => ({
  thread_id,
  turns: 0,
  last_turn_at: null,
  requests: 0,
  input_tokens: 0,
  output_tokens: 0,
  credits_n: 0,
});

// The seat view (GET .../adoption and .../adoption/seats): every seat (users, less removed users and
// service identities) beside its activity span (user_activity, migration 0032) and whether it holds
// a working key or can sign in. Those two are joined as derived tables of distinct user ids (a hash
// or automatic index each), not probed per seat: api_keys has no index by user.
const DAY_MS_LIT = sql.lit(86_400_000);
/** Whole days from being added to the first active day, 0 at least (null: never active). */
const ADDED_DAY = sql`u.created_at / ${DAY_MS_LIT}`;
const DAYS_TO_FIRST_USE = sql<number | null>`case when a.first_day is null then null
  when a.first_day - ${ADDED_DAY} < 0 then 0 else a.first_day - ${ADDED_DAY} end`;

function seatRows(db: DbOrTrx, ws: string, now: number) {
  return db
    .selectFrom('users as u')
    .leftJoin('user_activity as a', (j) =>
      j.onRef('a.workspace_id', '=', 'u.workspace_id').onRef('a.user_id', '=', 'u.id'),
    )
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('api_keys')
          .select('user_id')
          .distinct()
          .where('workspace_id', '=', ws)
          .where('user_id', 'is not', null)
          .where('revoked_at', 'is', null)
          .where((e) => e.or([e('expires_at', 'is', null), e('expires_at', '>', now)]))
          .as('k'),
      (j) => j.onRef('k.user_id', '=', 'u.id'),
    )
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('user_credentials as c')
          .innerJoin('users as cu', 'cu.id', 'c.user_id')
          .select('c.user_id')
          .where('cu.workspace_id', '=', ws)
          .union(db.selectFrom('user_sessions as us').select('us.user_id').where('us.workspace_id', '=', ws))
          .as('s'),
      (j) => j.onRef('s.user_id', '=', 'u.id'),
    )
    .where('u.workspace_id', '=', ws)
    .where('u.removed_at', 'is', null)
    .where('u.service', '=', 0);
}

export interface SeatCounts {
  keyed: boolean;
  signed: boolean;
  /** The largest of 14, 30, 60 days the seat has been idle (0: active in the last 14 days); null: never active. */
  idle: 0 | 14 | 30 | 60 | null;
  daysToFirstUse: number | null;
  seats: number;
}

/** The seats counted by (key, sign-in, idle class, days to first use): every summary figure adds these. */
export async function seatCounts(db: DbOrTrx, ws: string, now: number, today: number): Promise<SeatCounts[]> {
  const rows = await seatRows(db, ws, now)
    .select((eb) => [
      sql<number>`case when k.user_id is null then 0 else 1 end`.as('keyed'),
      sql<number>`case when s.user_id is null then 0 else 1 end`.as('signed'),
      sql<number | null>`case when a.last_day is null then null when a.last_day <= ${today - 60} then 60
        when a.last_day <= ${today - 30} then 30 when a.last_day <= ${today - 14} then 14 else 0 end`.as('idle_class'),
      DAYS_TO_FIRST_USE.as('ttfu'),
      eb.fn.countAll<number>().as('seats'),
    ])
    // By output names: PostgreSQL would not match the repeated expressions whose parameters differ.
    .groupBy([sql.ref('keyed'), sql.ref('signed'), sql.ref('idle_class'), sql.ref('ttfu')] as never)
    .execute();
  return rows.map((r) => ({
    keyed: Number(r.keyed) === 1,
    signed: Number(r.signed) === 1,
    idle: r.idle_class === null ? null : (Number(r.idle_class) as SeatCounts['idle']),
    daysToFirstUse: r.ttfu === null ? null : Number(r.ttfu),
    seats: Number(r.seats),
  }));
}

export const SEAT_STATES = ['all', 'never_active', 'active', 'inactive_14', 'inactive_30', 'inactive_60'] as const;
export type SeatState = (typeof SEAT_STATES)[number];
export const SEAT_SORTS = [
  'email',
  'added_at',
  'first_active_at',
  'last_active_at',
  'idle_days',
  'days_to_first_use',
] as const;
export type SeatSort = (typeof SEAT_SORTS)[number];

export interface SeatRow {
  id: string;
  email: string;
  role: string;
  created_at: number;
  first_day: number | null;
  last_day: number | null;
  has_key: boolean;
  has_sign_in: boolean;
}

export interface SeatPageQuery {
  state: SeatState;
  sort: SeatSort;
  desc: boolean;
  offset: number;
  limit: number;
  /** Only these users. */
  users?: readonly string[];
  /** Only seats whose email (when emails may be shown) or user id holds this text, any case. */
  search?: { text: string; byEmail: boolean };
}

/**
 * One page of seats in a state, sorted (the never active last on an activity column) then by id,
 * with the count of the seats in the state.
 */
export async function seatPage(
  db: DbOrTrx,
  ws: string,
  now: number,
  today: number,
  q: SeatPageQuery,
): Promise<{ rows: SeatRow[]; total: number }> {
  let base = seatRows(db, ws, now);
  if (q.users) base = q.users.length ? base.where('u.id', 'in', [...q.users]) : base.where(sql<boolean>`1 = 0`);
  if (q.search?.text) {
    // Emails are searched only where they may be shown: else a search would tell them one letter at a time.
    const col = q.search.byEmail ? sql`u.email` : sql`u.id`;
    base = base.where(containsIgnoringCase(db, col, q.search.text));
  }
  switch (q.state) {
    case 'never_active':
      base = base
        .where('a.user_id', 'is', null)
        .where((eb) => eb.or([eb('k.user_id', 'is not', null), eb('s.user_id', 'is not', null)]));
      break;
    case 'active':
      base = base.where('a.last_day', '>', today - 14);
      break;
    case 'inactive_14':
    case 'inactive_30':
    case 'inactive_60':
      base = base.where('a.last_day', '<=', today - Number(q.state.slice(9)));
      break;
  }
  // Idle days grow as the last active day recedes: the same order, reversed.
  const [col, desc] =
    q.sort === 'email'
      ? [sql.ref('u.email'), q.desc]
      : q.sort === 'added_at'
        ? [sql.ref('u.created_at'), q.desc]
        : q.sort === 'first_active_at'
          ? [sql.ref('a.first_day'), q.desc]
          : q.sort === 'days_to_first_use'
            ? [DAYS_TO_FIRST_USE, q.desc]
            : [sql.ref('a.last_day'), q.sort === 'idle_days' ? !q.desc : q.desc];
  const rows = await base
    .select([
      'u.id',
      'u.email',
      'u.role',
      'u.created_at',
      'a.first_day',
      'a.last_day',
      sql<number>`case when k.user_id is null then 0 else 1 end`.as('keyed'),
      sql<number>`case when s.user_id is null then 0 else 1 end`.as('signed'),
      sql<number>`count(*) over ()`.as('total'),
    ])
    .orderBy(sql`case when ${col} is null then 1 else 0 end`)
    .orderBy(col, desc ? 'desc' : 'asc')
    .orderBy('u.id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const total = rows.length ? Number(rows[0].total) : 0;
  return {
    rows: rows.map((r) => ({
      id: r.id,
      email: r.email,
      role: r.role,
      created_at: Number(r.created_at),
      first_day: r.first_day === null ? null : Number(r.first_day),
      last_day: r.last_day === null ? null : Number(r.last_day),
      has_key: Number(r.keyed) === 1,
      has_sign_in: Number(r.signed) === 1,
    })),
    total,
  };
}

/** Turns per user (of these users: a page of seats) over the days [fromDay, toDay). */
export async function recentTurns(db: DbOrTrx, ws: string, userIds: readonly string[], fromDay: number, toDay: number) {
  if (userIds.length === 0) return new Map<string, number>();
  const rows = await db
    .selectFrom('usage_user_day')
    .select((eb) => ['user_id', eb.fn.sum<number>('turns').as('turns')])
    .where('workspace_id', '=', ws)
    // The days as a list, not a range: SQLite then probes the key (workspace, day, user) per day and
    // user instead of reading every person's rows of the range (3.7x faster for 500 of 10,000 people).
    .where(
      'bucket',
      'in',
      Array.from({ length: toDay - fromDay }, (_, i) => fromDay + i),
    )
    .where('user_id', 'in', [...userIds])
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.turns)]));
}

/**
 * Machines per user: the host names their threads came from (OTLP resource host.name), and the
 * machines that uploaded session files which have no such thread name.
 */
export async function machinesPerUser(
  db: DbOrTrx,
  ws: string,
  userIds: readonly string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const [hosts, uploaders] = await Promise.all([
    db
      .selectFrom('threads')
      .select(['user_id', 'host_name'])
      .distinct()
      .where('workspace_id', '=', ws)
      .where('user_id', 'in', [...userIds])
      .where('host_name', 'is not', null)
      .execute(),
    db
      .selectFrom('rollout_machines')
      .select(['user_id', sql<string>`coalesce(host_name, machine_id)`.as('host_name')])
      .distinct()
      .where('workspace_id', '=', ws)
      .where('user_id', 'in', [...userIds])
      .execute(),
  ]);
  const names = new Map<string, Set<string>>();
  for (const r of [...hosts, ...uploaders]) {
    let s = names.get(r.user_id);
    if (!s) names.set(r.user_id, (s = new Set()));
    s.add(r.host_name!);
  }
  return new Map([...names].map(([u, s]) => [u, s.size]));
}

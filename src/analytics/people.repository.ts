// Reads about people for the dashboard: one user's threads (thread facts, newest first) with their
// turns and tokens, and the seat view (who holds a key or has signed in, when each was first and
// last active in the day rollups, from how many machines). Indexes: migration 0031.
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

export interface SeatRow {
  id: string;
  email: string;
  role: string;
  created_at: number;
}

/** The workspace's seats: its people, without removed users and service identities. */
export async function seats(db: DbOrTrx, ws: string): Promise<SeatRow[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'created_at'])
    .where('workspace_id', '=', ws)
    .where('removed_at', 'is', null)
    .where('service', '=', 0)
    .orderBy('email')
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

/** Users holding a key that still works at `now` (any scope). */
export async function usersWithKeys(db: DbOrTrx, ws: string, now: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('api_keys')
    .select('user_id')
    .distinct()
    .where('workspace_id', '=', ws)
    .where('user_id', 'is not', null)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return new Set(rows.map((r) => r.user_id!));
}

/** Users who can sign in or have: a password set, or a browser session (single sign-on). */
export async function usersWithSignIn(db: DbOrTrx, ws: string): Promise<Set<string>> {
  const [passwords, sessions] = await Promise.all([
    db
      .selectFrom('user_credentials')
      .innerJoin('users', 'users.id', 'user_credentials.user_id')
      .select('user_credentials.user_id')
      .where('users.workspace_id', '=', ws)
      .execute(),
    db.selectFrom('user_sessions').select('user_id').distinct().where('workspace_id', '=', ws).execute(),
  ]);
  return new Set([...passwords, ...sessions].map((r) => r.user_id));
}

export interface ActivitySpan {
  user_id: string;
  first_day: number;
  last_day: number;
}

/** Each person's first and last active UTC day (a day with a counted turn; migration 0032). */
export async function activitySpans(db: DbOrTrx, ws: string): Promise<ActivitySpan[]> {
  const rows = await db
    .selectFrom('user_activity')
    .select(['user_id', 'first_day', 'last_day'])
    .where('workspace_id', '=', ws)
    .execute();
  return rows.map((r) => ({ user_id: r.user_id, first_day: Number(r.first_day), last_day: Number(r.last_day) }));
}

/** Turns per user over the days [fromDay, toDay). */
export async function recentTurns(db: DbOrTrx, ws: string, fromDay: number, toDay: number) {
  const rows = await db
    .selectFrom('usage_user_day')
    .select((eb) => ['user_id', eb.fn.sum<number>('turns').as('turns')])
    .where('workspace_id', '=', ws)
    .where('bucket', '>=', fromDay)
    .where('bucket', '<', toDay)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.turns)]));
}

/**
 * Machines per user: the host names their threads came from (OTLP resource host.name), and the
 * machines that uploaded session files which have no such thread name.
 */
export async function machinesPerUser(db: DbOrTrx, ws: string): Promise<Map<string, number>> {
  const [hosts, uploaders] = await Promise.all([
    db
      .selectFrom('threads')
      .select(['user_id', 'host_name'])
      .distinct()
      .where('workspace_id', '=', ws)
      .where('host_name', 'is not', null)
      .execute(),
    db
      .selectFrom('rollout_machines')
      .select(['user_id', sql<string>`coalesce(host_name, machine_id)`.as('host_name')])
      .distinct()
      .where('workspace_id', '=', ws)
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

// PostgreSQL's compliance search statements, written so that each names the event times it can
// reach: content and its search index are partitioned by day of event time (decisions/0045, 0059)
// and a statement whose only bound is a seq range is planned over, and probes, every partition
// (~370 with a year of retention: BENCHMARKS.md, "Searches without a time filter"). The records'
// own `event_type` and `ts` equal those of their content and index rows (the partition keys are
// copied from the record), so adding them to a statement leaves out only rows it would not have
// returned: every function here returns what the one statement over every partition returned
// (test/storage/search-pruned.db.test.ts compares them). decisions/0067.
import { sql } from 'kysely';
import { EVENT_TYPES, type ChainRecord } from '../../core/compliance.js';
import { DAY_MS } from '../../core/time.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { containsIgnoringCase } from '../../platform/storage/dialect.js';
import { RECORD_HEAD_COLUMNS, recordsFrom, toRecord } from '../chain/chain.repository.js';
import type { SearchFilter } from './search.repository.js';

/** The records a search's filters (not its text) let through. */
export function recordsOf(db: DbOrTrx, workspaceId: string, f: SearchFilter & { seqs?: readonly number[] }) {
  let q = recordsFrom(db).where('r.workspace_id', '=', workspaceId);
  if (f.userId !== undefined) q = q.where('r.user_id', '=', f.userId);
  if (f.threadId !== undefined) q = q.where('r.thread_id', '=', f.threadId);
  if (f.eventTypes?.length) q = q.where('r.event_type', 'in', f.eventTypes);
  if (f.from !== undefined) q = q.where('r.ts', '>=', f.from);
  if (f.to !== undefined) q = q.where('r.ts', '<', f.to);
  if (f.afterSeq !== undefined) q = q.where('r.seq', '>', f.afterSeq);
  if (f.beforeSeq !== undefined) q = q.where('r.seq', '<', f.beforeSeq);
  if (f.untilSeq !== undefined) q = q.where('r.seq', '<=', f.untilSeq);
  if (f.seqs) q = q.where('r.seq', 'in', f.seqs.length ? f.seqs : [-1]);
  return q;
}

/**
 * searchRecords on PostgreSQL without text: the page from the records alone, then its content by
 * the page's own types and times (plan-time pruning to the page's days).
 */
export async function pageWithContent(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter & { seqs?: readonly number[] },
  limit: number,
): Promise<ChainRecord[]> {
  const rows = await recordsOf(db, workspaceId, f)
    .select(RECORD_HEAD_COLUMNS)
    .orderBy('r.seq', f.order)
    .limit(limit)
    .execute();
  if (!rows.length) return [];
  const content = await db
    .selectFrom('compliance_content')
    .select(['seq', 'content'])
    .where('workspace_id', '=', workspaceId)
    .where('event_type', 'in', [...new Set(rows.map((r) => r.event_type))])
    .where('ts', 'in', [...new Set(rows.map((r) => Number(r.ts)))])
    .where(
      'seq',
      'in',
      rows.map((r) => Number(r.seq)),
    )
    .execute();
  const bySeq = new Map(content.map((c) => [Number(c.seq), c.content]));
  return rows.map((r) => toRecord({ ...r, content: bySeq.get(Number(r.seq)) ?? null }));
}

/**
 * The event times a text check of searchRecords can reach on PostgreSQL, for its content join: a
 * candidate list (index hits, spread over any days) by its records' own times, a seq window (short
 * text, the tail past the index) by the range of times it spans; null when it holds no record.
 */
export async function contentTimes(
  db: DbOrTrx,
  workspaceId: string,
  f: SearchFilter & { seqs?: readonly number[] },
): Promise<number[] | { lo: number; hi: number } | null> {
  if (f.seqs) {
    const rows = await recordsOf(db, workspaceId, f).select('r.ts').execute();
    return rows.length ? [...new Set(rows.map((r) => Number(r.ts)))] : null;
  }
  const span = await recordsOf(db, workspaceId, f)
    .select((eb) => [eb.fn.min('r.ts').as('lo'), eb.fn.max('r.ts').as('hi')])
    .executeTakeFirst();
  return span?.lo === null || span?.lo === undefined ? null : { lo: Number(span.lo), hi: Number(span.hi) };
}

// Windows of event time a search without a time filter walks, in days from its first record's day.
const WINDOW_DAYS = [1, 3, 12, 48, 192];
// Records outside the windows read that a full walk still looks up one by one, at most.
const MAX_OUTSIDE = 4096;

/**
 * contentMatches on PostgreSQL without a time filter: the first `limit` index seqs in `order`
 * within (after, until] holding `text`. Walked in windows of event time from the day of the
 * range's first record (in order) onwards, in the order's direction, so that a page of a common
 * text reads a day or two of partitions; windows stop at the first and last event times of the
 * workspace's records, and the last window is every time not yet read. A window's
 * seqs are not in seq order with the others' (an event's time is not its seq: late events), so
 * the walk stops early only once it holds `limit` seqs and no record of the range between its
 * start and the last of them lies outside the times read: those records (late ones, read from
 * compliance_records, a span as long as the page's) are looked up in the index by their own
 * times, and the first `limit` of all are the answer.
 */
export async function indexMatchesByWindows(
  db: DbOrTrx,
  workspaceId: string,
  text: string,
  range: { after: number; until: number },
  order: 'asc' | 'desc',
  limit: number,
  eventTypes?: readonly string[],
): Promise<number[]> {
  const desc = order === 'desc';
  const dir = desc ? sql`desc` : sql`asc`;
  const types = eventTypes?.length ? sql`and event_type in (${sql.join([...eventTypes])})` : sql``;
  // The range's first record in order, and the times of the workspace's records (of the types)
  // from first to last (an index probe each): windows past them hold nothing.
  const ofTypes = eventTypes?.length ? eventTypes : EVENT_TYPES;
  const of = (agg: 'min' | 'max') =>
    sql.join(
      ofTypes.map(
        (t) => sql`(select ${sql.raw(agg)}(ts) from compliance_records
          where workspace_id = ${workspaceId} and event_type = ${t})`,
      ),
    );
  const edge = await sql<{ ts: string | null; lo: string | null; hi: string | null }>`select
    (select ts from compliance_records where workspace_id = ${workspaceId} and seq > ${range.after}
      and seq <= ${range.until} order by seq ${dir} limit 1) as ts,
    least(${of('min')}) as lo, greatest(${of('max')}) as hi`.execute(db);
  const e = edge.rows[0];
  if (e?.ts === null || e?.ts === undefined) return [];
  const first = Number(e.lo);
  const final = Number(e.hi);
  const day = Math.floor(Number(e.ts) / DAY_MS) * DAY_MS;
  // The times read so far: [lo, hi).
  let lo = day;
  let hi = day + DAY_MS;
  let found: number[] = [];
  const better = (a: number, b: number) => (desc ? b - a : a - b);
  const keep = (more: number[]) => {
    found = [...found, ...more].sort(better).slice(0, limit);
  };
  const bound = () =>
    found.length < limit ? sql`` : desc ? sql`and seq > ${found.at(-1)!}` : sql`and seq < ${found.at(-1)!}`;
  const query = (times: ReturnType<typeof sql>) =>
    sql<{ seq: string }>`select seq from compliance_search_index
      where workspace_id = ${workspaceId} and seq > ${range.after} and seq <= ${range.until} ${bound()}
        and ${times} ${types} and ${containsIgnoringCase(db, sql`content`, text)}
      order by seq ${dir} limit ${limit}`.execute(db);
  keep((await query(sql`ts >= ${lo} and ts < ${hi}`)).rows.map((x) => Number(x.seq)));
  const readAll = () => lo <= first && hi > final;
  for (const days of WINDOW_DAYS.slice(1)) {
    if (found.length >= limit || (desc ? lo <= first : hi > final)) break;
    const times = desc
      ? sql`ts >= ${lo - days * DAY_MS} and ts < ${lo}`
      : sql`ts >= ${hi} and ts < ${hi + days * DAY_MS}`;
    keep((await query(times)).rows.map((x) => Number(x.seq)));
    if (desc) lo -= days * DAY_MS;
    else hi += days * DAY_MS;
  }
  if (readAll()) return found;
  if (found.length < limit) {
    // Every time not read yet, on both sides: the range is then read whole.
    keep((await query(sql`(ts < ${lo} or ts >= ${hi})`)).rows.map((x) => Number(x.seq)));
    return found;
  }
  // Full: only records of the range before the last seq held (in order) and outside [lo, hi) can
  // still come first. They are looked up by their own times, which prune to their days. (The
  // types let the planner read them by (workspace, type, ts) when that is the smaller side.)
  const last = found.at(-1)!;
  const span = desc ? sql`seq > ${last} and seq <= ${range.until}` : sql`seq > ${range.after} and seq < ${last}`;
  const outside = await sql<{ seq: string; ts: string }>`select seq, ts from compliance_records
    where workspace_id = ${workspaceId} and ${span} and (ts < ${lo} or ts >= ${hi})
      and event_type in (${sql.join([...ofTypes])})
    limit ${MAX_OUTSIDE + 1}`.execute(db);
  if (!outside.rows.length) return found;
  // Very many (a range whose first record is far older or newer than the rest): the times outside
  // are read as the one statement did, over their partitions.
  const byTimes =
    outside.rows.length > MAX_OUTSIDE
      ? sql`${span} and (ts < ${lo} or ts >= ${hi})`
      : sql`seq in (${sql.join(outside.rows.map((x) => Number(x.seq)))})
          and ts in (${sql.join([...new Set(outside.rows.map((x) => Number(x.ts)))])})`;
  const more = await sql<{ seq: string }>`select seq from compliance_search_index
    where workspace_id = ${workspaceId} and ${byTimes} ${types} and ${containsIgnoringCase(db, sql`content`, text)}
    order by seq ${dir} limit ${limit}`.execute(db);
  keep(more.rows.map((x) => Number(x.seq)));
  return found;
}

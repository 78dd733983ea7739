// The query plan compiled by Kysely into one SQL statement over the usage rollups, the same on
// SQLite and PostgreSQL. Each metric comes from the rollup that holds it exactly:
//   - counters: the workspace rollups (usage_ws_*) for workspace figures, the per-user rollups
//     (usage_user_*) when the query is about people (a user or team dimension or filter, or a
//     caller who sees only some people); by client, or by model from the *_model_* twins;
//   - active users: count(distinct user_id) over the active-user sets (activeUsersPart), never a sum
//     of per-bucket counts; service identities are never in them (decisions/0026);
//   - current streak: per user, the run of consecutive days with a turn that ends at the range's last
//     day (or the day before), from a bit mask of the user's days (streakPart).
// Parts that read different rollups are joined by UNION ALL and summed per dimension outside.
import { type Expression, type RawBuilder, sql } from 'kysely';
import type { Db, DbOrTrx } from '../../platform/storage/database.js';
import { withoutParallelWorkers } from '../../platform/storage/dialect.js';
import { weekOfDay, weekStartDay } from '../../core/time.js';
import { MASK_DAYS } from '../../core/windows.js';
import { type DimensionColumn, isCounter, type Metric } from './query.model.js';
import type { QueryPlan } from './query.plan.js';
import { personWindowQuery } from './query.person-window.js';
import { windowActiveParts } from './query.window-active.js';
import {
  baseRows,
  counterSum,
  dimColumn,
  dimExpr,
  metricColumn,
  NONE,
  OTHER_TEAM,
  type Part,
  peopleFilters,
  rowsOf,
  setRows,
  surfaceOf,
  today,
  withoutServices,
} from './query.rows.js';

export { OTHER_TEAM };

// One part: the plan's dimensions, the metrics it provides, null for the others.
function part(
  p: QueryPlan,
  rows: Part,
  provides: (m: Metric) => Expression<unknown> | null,
  exprs: Partial<Record<DimensionColumn, Expression<unknown>>> = {},
): Part {
  const dims = p.dims.map((d) => exprs[d] ?? dimExpr(p, d));
  let q = rows.select([
    ...p.dims.map((d, i) => sql`${dims[i]}`.as(dimColumn(d))),
    ...p.metrics.map((m) => sql`${provides(m) ?? NONE}`.as(metricColumn(m))),
  ]);
  // By the output names: PostgreSQL would not match a repeated expression whose parameters differ.
  if (dims.length) q = q.groupBy(p.dims.map((d) => sql.ref(dimColumn(d))) as never);
  return q;
}

/**
 * The longest current streak counted: the days fit one bit each of a 64-bit integer, with room to
 * add 1. The window base's masks keep as many days before today (the range's other days).
 */
export const STREAK_MAX_DAYS = MASK_DAYS;

// Each user's days with a turn as a bit mask (bit 0: the range's last day), summed over the user's
// distinct days; the current streak is the run of ones from bit 0 (or from bit 1 when the last day
// has none yet), read as (m + 1) & ~m = 2^streak, so that ordering by it orders by streak. Window
// functions over the same rows cost 2-3x more on SQLite (bench/query.bench.ts).
function streakOf(mask: Expression<unknown>): RawBuilder<unknown> {
  const run = (m: RawBuilder<unknown>) => sql`((${m}) + 1) & ~(${m})`;
  return sql`case when ${mask} & 1 = 1 then ${run(sql`${mask}`)} else ${run(sql`${mask} >> 1`)} end`;
}

function streakPart(db: DbOrTrx, p: QueryPlan): Part {
  const masks = p.window && p.maskScope ? windowMasks(db, p) : dayMasks(db, p);
  const streak = streakOf(sql.ref('s.mask'));
  return db
    .selectFrom(masks.as('s') as never)
    .select([
      sql.ref('s.user_id').as(dimColumn('user')),
      ...p.metrics.map((m) => (m === 'current_streak' ? streak : NONE).as(metricColumn(m))),
    ]);
}

function dayMasks(db: DbOrTrx, p: QueryPlan): Part {
  const from = Math.max(p.firstDay, p.lastDay - (STREAK_MAX_DAYS - 1));
  // The day set's narrow rows where it holds the filters (not by model).
  const rows = p.byModel
    ? rowsOf(db, p, true, 'day').where('u.turns', '>', 0).where('u.bucket', '>=', from)
    : setRows(db, p, 'day', from, p.lastDay);
  const days = rows.select(['u.user_id as user_id', 'u.bucket as bucket']).groupBy(['u.user_id', 'u.bucket']);
  return db
    .selectFrom(days.as('d') as never)
    .select([
      sql.ref('d.user_id').as('user_id'),
      sql`cast(sum(cast(1 as bigint) << (${p.lastDay} - ${sql.ref('d.bucket')})) as bigint)`.as('mask'),
    ])
    .groupBy(sql.ref('d.user_id') as never);
}

// The window path's masks: the base's days before today (bit 0 the day before) moved up one, and
// today as bit 0 from today's rows; the bits past the range's length (or 62 days) cleared, as the
// day path counts them.
function windowMasks(db: DbOrTrx, p: QueryPlan): Part {
  const scope = p.maskScope!;
  const base = withoutServices(
    peopleFilters(
      db
        .selectFrom('user_day_mask as u')
        .where('u.workspace_id', '=', p.workspaceId)
        .where('u.anchor', '=', p.window!.anchor)
        .where('u.client_id', '=', scope.client)
        .where('u.model', '=', scope.model) as Part,
      p,
    ),
    p,
  ).select([sql.ref('u.user_id').as('user_id'), sql`${sql.ref('u.days')} * 2`.as('mask')]);
  const now = (
    p.byModel
      ? rowsOf(db, p, true, 'day', today(p)).where('u.turns', '>', 0)
      : setRows(db, p, 'day', p.lastDay, p.lastDay)
  )
    .select([sql.ref('u.user_id').as('user_id'), sql`1`.as('mask')])
    .groupBy('u.user_id');
  const bits = Math.min(p.window!.days, STREAK_MAX_DAYS);
  const keep = sql.raw(((1n << BigInt(bits)) - 1n).toString());
  return (
    db
      .selectFrom(base.unionAll(now).as('d') as never)
      .select([sql.ref('d.user_id').as('user_id'), sql`cast(sum(${sql.ref('d.mask')}) as bigint) & ${keep}`.as('mask')])
      .groupBy(sql.ref('d.user_id') as never)
      // Only people with a day in the range, as the day path reads them.
      .having(sql`cast(sum(${sql.ref('d.mask')}) as bigint) & ${keep}`, '<>', 0)
  );
}

// The people with a counted turn: the active-user sets the ingest keeps (service identities are
// never in them; four narrow columns, read faster than the counters). Without a time dimension the
// whole ISO weeks of the range come from the week set and only the days at its ends from the day
// set: a person active in a week is in that week's set, so the distinct count over the union is
// exact, and 90 days read a third of the rows. By model, from the per-user model rollups instead.
function activeUsersPart(db: DbOrTrx, p: QueryPlan): Part {
  if (p.activeCount) return activeCountPart(db, p);
  const dims = p.dims.map((d) => dimExpr(p, d));
  const people = (rows: Part) =>
    rows.select([...p.dims.map((d, i) => sql`${dims[i]}`.as(dimColumn(d))), sql.ref('u.user_id').as('user_id')]);
  let union: Part;
  if (p.window) {
    // The base's rows with a turn hold everyone active before today (a counter sum is positive
    // only if some day's was); today's from the day set, or by model its rows with a turn.
    const now = p.byModel
      ? people(rowsOf(db, p, true, 'day', today(p)).where('u.turns', '>', 0))
      : people(setRows(db, p, 'day', p.lastDay, p.lastDay));
    union = people(baseRows(db, p).where('u.turns', '>', 0)).unionAll(now);
  } else if (p.byModel) union = people(rowsOf(db, p, true).where('u.turns', '>', 0));
  else {
    const spans: { grain: 'day' | 'week'; first: number; last: number }[] = [];
    const firstWeek = p.dims.includes('time') ? null : weekOfDay(p.firstDay + 6);
    const lastWeek = p.dims.includes('time') ? null : weekOfDay(p.lastDay - 6);
    if (firstWeek === null || lastWeek === null || lastWeek < firstWeek)
      spans.push({ grain: p.grain, first: p.firstBucket, last: p.lastBucket });
    else {
      spans.push({ grain: 'week', first: firstWeek, last: lastWeek });
      const before = weekStartDay(firstWeek) - 1;
      const after = weekStartDay(lastWeek) + 7;
      if (before >= p.firstDay) spans.push({ grain: 'day', first: p.firstDay, last: before });
      if (after <= p.lastDay) spans.push({ grain: 'day', first: after, last: p.lastDay });
    }
    const parts = spans.map((s) => people(setRows(db, p, s.grain, s.first, s.last)));
    union = parts.slice(1).reduce((acc, q) => acc.unionAll(q), parts[0]);
  }
  // Distinct people by GROUP BY, then counted: PostgreSQL sorts for count(distinct) and hashes a
  // GROUP BY (110 ms against 480 ms for 90 days of 10,000 users); SQLite does the same work either way.
  const cols = p.dims.map((d) => dimColumn(d));
  const distinct = db
    .selectFrom(union.as('a') as never)
    .select([...cols.map((c) => sql.ref(`a.${c}`).as(c)), sql.ref('a.user_id').as('user_id')])
    .groupBy([...cols, 'user_id'].map((c) => sql.ref(c)) as never);
  let q: Part = db
    .selectFrom(distinct.as('a') as never)
    .select([
      ...cols.map((c) => sql.ref(`a.${c}`).as(c)),
      ...p.metrics.map((m) => (m === 'active_users' ? sql`count(*)` : NONE).as(metricColumn(m))),
    ]);
  if (cols.length) q = q.groupBy(cols.map((c) => sql.ref(c)) as never);
  return q;
}

// A time series' active users from the count rollup (decisions/0053): one row per bucket and
// scope, kept beside the sets from the rows they really gain, so a bucket's figure is that row's
// count, not a distinct count over its set (90 days: 90 rows instead of ~420,000).
function activeCountPart(db: DbOrTrx, p: QueryPlan): Part {
  const rows = p.activeCount!;
  let q: Part = db
    .selectFrom(`active_user_${p.grain}_count as u` as 'active_user_day_count as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.bucket', '>=', p.firstBucket)
    .where('u.bucket', '<=', p.lastBucket)
    .where('u.surface', rows === 'surface' ? '<>' : '=', '')
    .where('u.client_id', rows === 'client' ? '<>' : '=', '');
  if (p.client) q = q.where('u.client_id', 'in', p.client);
  const surface = rows === 'surface' ? sql.ref('u.surface') : surfaceOf(sql.ref('u.client_id'));
  if (p.surface) q = q.where(surface, 'in', p.surface);
  return part(p, q, (m) => (m === 'active_users' ? sql`sum(${sql.ref('u.users')})` : null), { surface });
}

// The parts of any plan but a person-window one, each grouped by the plan's dimensions.
function otherParts(db: DbOrTrx, p: QueryPlan): Part[] {
  const parts: Part[] = [];
  const counters = (m: Metric) => (isCounter(m) ? counterSum(m) : null);
  if (p.metrics.some(isCounter)) {
    // The workspace rollups hold a range in a few rows a day already; people's figures come from
    // the window's base and today's day rows when the plan has a base (decisions/0042).
    if (p.window && p.personLevel)
      parts.push(part(p, baseRows(db, p), counters), part(p, rowsOf(db, p, true, 'day', today(p)), counters));
    else parts.push(part(p, rowsOf(db, p, p.personLevel), counters));
  }
  if (p.metrics.includes('active_users')) parts.push(...(windowActiveParts(db, p) ?? [activeUsersPart(db, p)]));
  if (p.metrics.includes('current_streak')) parts.push(streakPart(db, p));
  return parts;
}

/** The plan's one statement: rows of dimension columns (d_*) and metric columns (m_*), ordered and paged. */
export function compileQuery(db: DbOrTrx, p: QueryPlan): Part {
  let q: Part;
  if (p.personBase)
    // Per person over a window with no client or model: the base's row per person (decisions/0058, 0066).
    q = personWindowQuery(db, p, streakOf);
  else {
    const parts = otherParts(db, p);
    const union = parts.slice(1).reduce((acc, q) => acc.unionAll(q), parts[0]);
    const cols = p.dims.map((d) => sql.ref(`p.${dimColumn(d)}`));
    q = db
      .selectFrom(union.as('p') as never)
      .select([
        ...p.dims.map((d, i) => cols[i].as(dimColumn(d))),
        ...p.metrics.map((m) => sql`coalesce(sum(${sql.ref(`p.${metricColumn(m)}`)}), 0)`.as(metricColumn(m))),
        ...(p.totalRows ? [sql`count(*) over ()`.as('total_rows')] : []),
      ]);
    if (cols.length) q = q.groupBy(p.dims.map((d) => sql.ref(dimColumn(d))) as never);
  }
  for (const [k, dir] of p.order) {
    const col = (p.dims as string[]).includes(k) ? dimColumn(k as DimensionColumn) : metricColumn(k as Metric);
    q = q.orderBy(sql.ref(col), dir);
  }
  return q.limit(p.limit + 1).offset(p.offset);
}

/** Runs the plan: rows keyed by d_* and m_* columns, numbers as numbers. */
export async function runQuery(db: Db, p: QueryPlan): Promise<Record<string, unknown>[]> {
  // Serial: every panel reads a few thousand rows per part (decisions/0066).
  return (await withoutParallelWorkers(db, (conn) => compileQuery(conn, p).execute())) as Record<string, unknown>[];
}

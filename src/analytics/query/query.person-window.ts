// The window path by person (decisions/0058, 0066): with no client or model in the query, per-person
// figures over a trailing window come from the base's one row per person (every client's counters
// and the days before today with a turn) and today's rows, grouped once by person; a team dimension
// then joins that one row per person to the members once, not each part to them. Each metric as
// the day path counts it:
//   - counters: the base row's sums plus today's day-rollup rows;
//   - active users: the largest of 1 for a base row with a turn and 1 for each of today's
//     active-set rows (a person is counted once, whichever part holds them);
//   - current streak: the mask's days moved up one (bit 0 free) plus today's bit (the largest of
//     today's flags, as the set has a row per client): the OR the day path reads.
import { type Expression, type ExpressionBuilder, sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { isCounter, type Metric } from './query.model.js';
import type { QueryPlan } from './query.plan.js';
import { counterOf, dimColumn, dimExpr, metricColumn, NONE, type Part, withoutServices } from './query.rows.js';

// The flag of today's activity, kept apart from the mask so that the set's row per client adds one bit.
const TODAY = 't_today';

// The team filter's members, read once (TEAM) for every part. Materialized: a scan of a CTE is
// never run by a parallel worker either (13 ms against 1.6 ms serial for a team of 100).
const TEAM = 'team_people';

// The people the plan keeps, on one part: the caller's reach and the user filter, the team filter
// (the team dimension's join is made once, outside).
function scoped(q: Part, p: QueryPlan): Part {
  if (p.users) q = p.users.length ? q.where('u.user_id', 'in', p.users) : q.where(sql<boolean>`1 = 0`);
  if (p.teamId !== undefined)
    q = q.where('u.user_id', 'in', (eb: ExpressionBuilder<Record<string, { user_id: string }>, never>) =>
      eb.selectFrom(TEAM).select('user_id'),
    );
  return q;
}

function select(p: QueryPlan, rows: Part, provides: (m: Metric) => Expression<unknown> | null, today: number): Part {
  return rows.select([
    sql.ref('u.user_id').as('user_id'),
    ...p.metrics.map((m) => sql`${provides(m) ?? NONE}`.as(metricColumn(m))),
    ...(p.metrics.includes('current_streak') ? [sql`cast(${sql.lit(today)} as bigint)`.as(TODAY)] : []),
  ]);
}

// The rows of the three parts, ungrouped: the base's row per person, today's day-rollup rows, and
// (for active users or streaks) today's active-set rows.
function personRows(db: DbOrTrx, p: QueryPlan): Part {
  const w = p.window!;
  const base = db
    .selectFrom('usage_person_window as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.window_days', '=', w.days)
    .where('u.anchor', '=', w.anchor) as Part;
  const day = db
    .selectFrom('usage_user_day as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.bucket', '=', p.lastDay) as Part;
  let rows = select(
    p,
    scoped(withoutServices(base, p), p),
    (m) =>
      isCounter(m)
        ? counterOf(m)
        : m === 'active_users'
          ? sql`case when ${sql.ref('u.turns')} > 0 then 1 else 0 end`
          : m === 'current_streak'
            ? sql`${sql.ref('u.days')} * 2`
            : null,
    0,
  ).unionAll(select(p, scoped(withoutServices(day, p), p), (m) => (isCounter(m) ? counterOf(m) : null), 0));
  if (p.metrics.includes('active_users') || p.metrics.includes('current_streak')) {
    // Today's people with a counted turn, a row per client (the set holds no service identity).
    const set = db
      .selectFrom('active_user_day_set as u')
      .where('u.workspace_id', '=', p.workspaceId)
      .where('u.bucket', '=', p.lastDay) as Part;
    rows = rows.unionAll(select(p, scoped(set, p), (m) => (m === 'active_users' ? sql`1` : null), 1));
  }
  return rows;
}

/** One row per person (as `u`): user_id and the m_* columns; m_current_streak is the mask. */
function perPerson(db: DbOrTrx, p: QueryPlan): Part {
  const col = (c: string) => sql.ref(`x.${c}`);
  return db
    .selectFrom(personRows(db, p).as('x') as never)
    .select([
      col('user_id').as('user_id'),
      ...p.metrics.map((m) => {
        const c = col(metricColumn(m));
        return (
          m === 'active_users'
            ? sql`max(${c})`
            : m === 'current_streak'
              ? sql`cast(coalesce(sum(${c}), 0) + coalesce(max(${col(TODAY)}), 0) as bigint)`
              : sql`sum(${c})`
        ).as(metricColumn(m));
      }),
    ])
    .groupBy(col('user_id') as never);
}

// The streak read from its mask (query.compiler.ts streakOf), once per row.
type StreakOf = (mask: Expression<unknown>) => Expression<unknown>;

/**
 * The plan's rows before ordering and paging: d_* and m_* columns (and total_rows when asked),
 * as the day path's grouping answers them.
 */
export function personWindowQuery(db: DbOrTrx, p: QueryPlan, streakOf: StreakOf): Part {
  const per = perPerson(db, p).as('u');
  const teamId = p.teamId;
  let top = db as DbOrTrx;
  if (teamId !== undefined)
    top = top.with(
      (cte) => cte(TEAM).materialized(),
      (d) => d.selectFrom('team_members').select('user_id').where('team_id', '=', teamId),
    ) as DbOrTrx;
  const total = p.totalRows ? [sql`count(*) over ()`.as('total_rows')] : [];
  if (p.dims.length === 1 && p.dims[0] === 'user') {
    // Already one row per person: the streak read once per row (PostgreSQL evaluated the formula's
    // seven references to an aggregate per row otherwise).
    const mask = sql.ref(`u.${metricColumn('current_streak')}`);
    return top
      .selectFrom(per as never)
      .select([
        sql.ref('u.user_id').as(dimColumn('user')),
        ...p.metrics.map((m) =>
          (m === 'current_streak'
            ? sql`case when ${mask} = 0 then 0 else ${streakOf(mask)} end`
            : sql`coalesce(${sql.ref(`u.${metricColumn(m)}`)}, 0)`
          ).as(metricColumn(m)),
        ),
        ...total,
      ]);
  }
  let q = top.selectFrom(per as never) as Part;
  // One join of a row per person to the members (a person in two teams counts in both): a hash
  // join on PostgreSQL once the base has statistics (the build analyzes it), on SQLite a probe of
  // the members' (workspace, user, team) index per person.
  if (p.dims.includes('team'))
    q = q.innerJoin('team_members as m', (j) => {
      const on = j.onRef('m.user_id', '=', 'u.user_id').on('m.workspace_id', '=', p.workspaceId);
      return teamId === undefined ? on : on.on('m.team_id', '=', teamId);
    });
  q = q.select([
    ...p.dims.map((d) => sql`${dimExpr(p, d)}`.as(dimColumn(d))),
    ...p.metrics.map((m) => sql`coalesce(sum(${sql.ref(`u.${metricColumn(m)}`)}), 0)`.as(metricColumn(m))),
    ...total,
  ]);
  if (p.dims.length) q = q.groupBy(p.dims.map((d) => sql.ref(dimColumn(d))) as never);
  return q;
}

// The window path by person (decisions/0058): with no client or model in the query, per-person
// figures over a trailing window come from the base's one row per person (every client's counters
// and the days before today with a turn) and today's rows, as rows the statement's outer GROUP BY
// adds up, none of them grouped before: the unfiltered ranking, the teams panel, a team or people
// filter. Each metric as the day path counts it:
//   - counters: the base row's sums plus today's day-rollup rows;
//   - active users: 1 for a base row with a turn, and 1 for each of today's active people without
//     one (a person is counted once: in the base or, if not active there, today);
//   - current streak: the mask's days moved up one and today's bit (1 for each of today's active
//     people), summed: the people are distinct per part, so the sum is the OR the day path reads.
import { type Expression, sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { isCounter, type Metric } from './query.model.js';
import type { QueryPlan } from './query.plan.js';
import {
  counterOf,
  dimColumn,
  dimExpr,
  metricColumn,
  NONE,
  type Part,
  peopleFilters,
  rowsOf,
  today,
  withoutServices,
} from './query.rows.js';

function select(p: QueryPlan, rows: Part, provides: (m: Metric) => Expression<unknown> | null): Part {
  return rows.select([
    ...p.dims.map((d) => sql`${dimExpr(p, d)}`.as(dimColumn(d))),
    ...p.metrics.map((m) => sql`${provides(m) ?? NONE}`.as(metricColumn(m))),
  ]);
}

// The base's rows of the plan's window, as `alias`.
const baseOf = (db: DbOrTrx, p: QueryPlan, alias: 'u' | 'b'): Part =>
  db
    .selectFrom(`usage_person_window as ${alias}` as 'usage_person_window as u')
    .where(`${alias}.workspace_id` as 'u.workspace_id', '=', p.workspaceId)
    .where(`${alias}.window_days` as 'u.window_days', '=', p.window!.days)
    .where(`${alias}.anchor` as 'u.anchor', '=', p.window!.anchor);

/** The parts of a person-window plan: their m_current_streak is a mask, read as a streak outside. */
export function personWindowParts(db: DbOrTrx, p: QueryPlan): Part[] {
  const parts = [
    select(p, peopleFilters(withoutServices(baseOf(db, p, 'u'), p), p), (m) =>
      isCounter(m)
        ? counterOf(m)
        : m === 'active_users'
          ? sql`case when ${sql.ref('u.turns')} > 0 then 1 else 0 end`
          : m === 'current_streak'
            ? sql`${sql.ref('u.days')} * 2`
            : null,
    ),
    select(p, rowsOf(db, p, true, 'day', today(p)), (m) => (isCounter(m) ? counterOf(m) : null)),
  ];
  if (p.metrics.includes('active_users') || p.metrics.includes('current_streak')) {
    // Today's people with a counted turn, once each (the set has a row per client; it holds no
    // service identity).
    const now = db
      .selectFrom('active_user_day_set as s')
      .where('s.workspace_id', '=', p.workspaceId)
      .where('s.bucket', '=', p.lastDay)
      .select(['s.workspace_id', 's.user_id'])
      .distinct();
    // Whether each of them was active before today: their base row, joined on its primary key (a
    // correlated EXISTS in the select list was a probe per person on PostgreSQL, not a hash join).
    let rows = db.selectFrom(now.as('u')) as Part;
    if (p.metrics.includes('active_users'))
      rows = rows.leftJoin('usage_person_window as b', (j) =>
        j
          .onRef('b.user_id', '=', 'u.user_id')
          .on('b.workspace_id', '=', p.workspaceId)
          .on('b.window_days', '=', p.window!.days)
          .on('b.anchor', '=', p.window!.anchor),
      );
    parts.push(
      select(p, peopleFilters(rows, p), (m) =>
        m === 'active_users'
          ? sql`case when ${sql.ref('b.turns')} > 0 then 0 else 1 end`
          : m === 'current_streak'
            ? sql`1`
            : null,
      ),
    );
  }
  return parts;
}

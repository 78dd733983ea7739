// Active users over a trailing window as two counts instead of a distinct count over a union
// (decisions/0069). A person is active in the window iff they have a base row with a turn (the days
// before today) or a row in today's set; when the base holds one row per person and key, the people
// before today are a count of its rows, and today adds only those of its people the base lacks (one
// primary-key probe each). No row is grouped by person: the panels this serves read 40,000 base rows
// to count a few keys, and grouping them was most of their cost on SQLite.
import { type Expression, sql } from 'kysely';
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { QueryPlan } from './query.plan.js';
import {
  baseRows,
  dimColumn,
  dimExpr,
  metricColumn,
  NONE,
  type Part,
  peopleFilters,
  setRows,
  withoutServices,
} from './query.rows.js';

type Rows = 'client' | 'surface' | 'person';

// Which base holds one row per person and key of the plan, or null (the union, grouped). The rows
// per client when the client is a dimension (a surface or team beside it follows per row); the
// people per surface when the surface alone is (no client filter: it would narrow a surface's
// people to some of its clients); the rows per person when nothing but teams is. "Other" folds
// several teams of one person: it needs the grouping.
function rowsFor(p: QueryPlan): Rows | null {
  if (!p.window || p.byModel || p.activeCount) return null;
  if (p.dims.includes('team') && p.foldTeams.length) return null;
  if (p.dims.includes('client') && p.dims.every((d) => d === 'client' || d === 'surface' || d === 'team'))
    return 'client';
  if (p.dims.length === 1 && p.dims[0] === 'surface' && !p.client) return 'surface';
  if (p.dims.every((d) => d === 'team') && !p.client && !p.surface) return 'person';
  return null;
}

function counted(p: QueryPlan, rows: Part, surface?: Expression<unknown>): Part {
  const dims = p.dims.map((d) => (d === 'surface' && surface ? surface : dimExpr(p, d)));
  let q = rows.select([
    ...p.dims.map((d, i) => sql`${dims[i]}`.as(dimColumn(d))),
    ...p.metrics.map((m) => (m === 'active_users' ? sql`count(*)` : NONE).as(metricColumn(m))),
  ]);
  if (dims.length) q = q.groupBy(p.dims.map((d) => sql.ref(dimColumn(d))) as never);
  return q;
}

/** The parts that count the plan's active users on the window path, or null where they cannot. */
export function windowActiveParts(db: DbOrTrx, p: QueryPlan): Part[] | null {
  const rows = rowsFor(p);
  if (!rows) return null;
  const w = p.window!;
  if (rows === 'surface') return surfaceParts(db, p);
  const table = rows === 'client' ? 'usage_user_window' : 'usage_person_window';
  const sameKey = rows === 'client' ? sql`and b.client_id = u.client_id` : sql``;
  // Today's people the base does not already count (its row with a turn, on the key's primary key).
  const isNew = sql<boolean>`not exists (select 1 from ${sql.table(table)} b where b.workspace_id = ${p.workspaceId}
    and b.window_days = ${w.days} and b.anchor = ${w.anchor} and b.user_id = u.user_id ${sameKey} and b.turns > 0)`;
  const now = setRows(db, p, 'day', p.lastDay, p.lastDay).where(isNew);
  if (rows === 'client') return [counted(p, baseRows(db, p).where('u.turns', '>', 0)), counted(p, now)];

  const base = db
    .selectFrom('usage_person_window as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.window_days', '=', w.days)
    .where('u.anchor', '=', w.anchor)
    .where('u.turns', '>', 0) as Part;
  // Today's set has a row per person and client: its people made distinct before they are counted.
  const cols = p.dims.map((d) => dimColumn(d));
  const dims = p.dims.map((d) => dimExpr(p, d));
  let people = now.select([
    ...p.dims.map((d, i) => sql`${dims[i]}`.as(dimColumn(d))),
    sql.ref('u.user_id').as('user_id'),
  ]);
  people = people.groupBy([...cols.map((c) => sql.ref(c)), sql.ref('u.user_id')] as never);
  let today: Part = db
    .selectFrom(people.as('a') as never)
    .select([
      ...cols.map((c) => sql.ref(`a.${c}`).as(c)),
      ...p.metrics.map((m) => (m === 'active_users' ? sql`count(*)` : NONE).as(metricColumn(m))),
    ]);
  if (cols.length) today = today.groupBy(cols.map((c) => sql.ref(c)) as never);
  return [counted(p, peopleFilters(withoutServices(base, p), p)), today];
}

// The people per surface before today (active_user_surface_window, kept by the build and the late
// batches) and today's surface set's people who are not among them.
function surfaceParts(db: DbOrTrx, p: QueryPlan): Part[] {
  const w = p.window!;
  const bySurface = (rows: Part) => {
    const q = p.surface ? rows.where('u.surface', 'in', p.surface) : rows;
    return peopleFilters(q.where('u.surface', '<>', ''), p);
  };
  const base = db
    .selectFrom('active_user_surface_window as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.window_days', '=', w.days)
    .where('u.anchor', '=', w.anchor) as Part;
  const isNew = sql<boolean>`not exists (select 1 from active_user_surface_window b
    where b.workspace_id = ${p.workspaceId} and b.window_days = ${w.days} and b.anchor = ${w.anchor}
    and b.surface = u.surface and b.user_id = u.user_id)`;
  const now = db
    .selectFrom('active_user_day_surface_set as u')
    .where('u.workspace_id', '=', p.workspaceId)
    .where('u.bucket', '=', p.lastDay)
    .where(isNew) as Part;
  const surface = sql.ref('u.surface');
  return [counted(p, bySurface(withoutServices(base, p)), surface), counted(p, bySurface(now), surface)];
}

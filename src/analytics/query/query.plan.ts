// A parsed query made into a plan the compiler reads: the days and buckets of the range, the users
// the caller may see, the teams folded by the privacy floor, and the combinations refused because
// no rollup holds them (each a 422 naming the field). Pure: the service looks up what it needs.
import { StewardError } from '../../core/errors.js';
import { DAY_MS, dayOf, weekOfDay, weekStartDay } from '../../core/time.js';
import { isWindow, type WindowDays } from '../../core/windows.js';
import type { Grain } from '../params.js';
import { columnOf, type DimensionColumn, isCounter, type Metric, type QueryInput } from './query.model.js';

export interface QueryPlan {
  workspaceId: string;
  metrics: Metric[];
  dims: DimensionColumn[];
  /** The time dimension's grain; day without one. */
  grain: Grain;
  /** Days read, both included (with time:week, the whole weeks holding them). */
  firstDay: number;
  lastDay: number;
  firstBucket: number;
  lastBucket: number;
  surface?: string[];
  client?: string[];
  model?: string[];
  /** Only these users (the user_id filter within the caller's reach); null: anyone. */
  users: readonly string[] | null;
  teamId?: string;
  /** Teams read as team "other" (under analytics.min_team_size, for a caller who is not an owner). */
  foldTeams: readonly string[];
  /** Read the per-user rollups; else the workspace rollups (service identities' usage included). */
  personLevel: boolean;
  byModel: boolean;
  /**
   * Read the trailing-window base (decisions/0042) instead of the range's day rows: a range of 7,
   * 30 or 90 days ending today, no time dimension, and a base built for today. Null: the day rollups.
   */
  window: { days: WindowDays; anchor: number } | null;
  /**
   * On the window path, read the base's one row per person (decisions/0058): per-person figures
   * (a user or team dimension or filter) with a counter, and no client, surface or model in the query.
   */
  personBase: boolean;
  /**
   * Active users per bucket from the count rollup (decisions/0053): which of its rows hold the
   * plan's buckets exactly (everyone, per surface, per client). Null: distinct people from the sets.
   */
  activeCount: ActiveCountRows | null;
  /** The streak's day mask kept in the base for these filters ('' for any); null: from the day rows. */
  maskScope: { client: string; model: string } | null;
  order: [string, 'asc' | 'desc'][];
  limit: number;
  offset: number;
  totalRows: boolean;
}

export type ActiveCountRows = 'all' | 'surface' | 'client';

export interface PlanContext {
  workspaceId: string;
  now: number;
  lookbackDays: number;
  /** The users the caller may see (core/authz.ts reach); null: the whole workspace. */
  reach: readonly string[] | null;
  team?: { id: string; small: boolean };
  seesSmallTeams: boolean;
  smallTeams: readonly string[];
  /** The anchor day of the workspace's built window base; null: none built. */
  windowAnchor: number | null;
}

export function bodyError(path: (string | number)[], msg: string, type = 'value_error'): StewardError {
  return new StewardError('validation', `${path.join('.')}: ${msg}`, {
    detail: [{ loc: ['body', ...path], msg, type }],
  });
}

function days(range: QueryInput['date_range'], now: number): [number, number] {
  if (typeof range === 'string') {
    const today = dayOf(now);
    return [today - Number(range.slice(0, -1)) + 1, today];
  }
  const [from, to] = range.map((d) => dayOf(Date.parse(`${d}T00:00:00Z`)));
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw bodyError(['date_range'], 'is not a valid date');
  if (to < from) throw bodyError(['date_range'], 'must end on or after its first day', 'value_error.range');
  return [from, to];
}

export function planQuery(q: QueryInput, c: PlanContext): QueryPlan {
  const dims = q.dimensions.map(columnOf);
  const grain: Grain = q.dimensions.includes('time:week') ? 'week' : 'day';
  const [firstDay, lastDay] = days(q.date_range, c.now);
  if (firstDay < dayOf(c.now - c.lookbackDays * DAY_MS))
    throw bodyError(['date_range'], `must be within the last ${c.lookbackDays} days (lookback)`, 'value_error.range');

  const f = q.filters;
  const byModel = dims.includes('model') || f.model !== undefined;
  const byClient =
    dims.includes('client') || dims.includes('surface') || f.client !== undefined || f.surface !== undefined;
  if (byModel && byClient)
    throw bodyError(
      [dims.includes('model') && (dims.includes('client') || dims.includes('surface')) ? 'dimensions' : 'filters'],
      'client and model cannot be combined: the rollups keep usage per client or per model',
    );
  if (byModel && q.metrics.includes('threads'))
    throw bodyError(['metrics'], 'threads are counted per client, not per model: drop threads or the model');
  if (q.metrics.includes('current_streak') && (dims.length !== 1 || dims[0] !== 'user'))
    throw bodyError(['metrics'], 'current_streak needs the dimension user, and no other');

  // A small team alone would show a few people's figures to a viewer (decisions/0026): per-user rows
  // are theirs to see anyway, a small team's total is not.
  if (c.team?.small && !c.seesSmallTeams && !dims.includes('user'))
    throw bodyError(
      ['filters', 'team_id'],
      "the team has fewer members than the team floor (analytics.min_team_size or the workspace's); " +
        'only owners see it alone',
      'value_error.team_size',
    );

  const users = f.user_id ? (c.reach ? f.user_id.filter((u) => c.reach!.includes(u)) : f.user_id) : c.reach;
  const personLevel =
    dims.includes('user') || dims.includes('team') || f.user_id !== undefined || f.team_id !== undefined || !!c.reach;

  const selected = new Set<string>([...dims, ...q.metrics]);
  const asked = q.order_by ?? [];
  asked.forEach(([k], i) => {
    if (!selected.has(k)) throw bodyError(['order_by', i], `${k} is neither a dimension nor a metric asked for`);
  });
  const first: [string, 'asc' | 'desc'][] = asked.length
    ? asked
    : dims.includes('time')
      ? [['time', 'asc']]
      : [[q.metrics[0], 'desc']];
  // Every dimension last, so that rows of equal figures keep one order from page to page.
  const order = [
    ...first,
    ...dims.filter((d) => !first.some(([k]) => k === d)).map((d) => [d, 'asc'] as [string, 'asc']),
  ];

  const today = dayOf(c.now);
  const span = lastDay - firstDay + 1;
  const window =
    !dims.includes('time') && lastDay === today && isWindow(span) && c.windowAnchor === today
      ? { days: span, anchor: today }
      : null;
  const personBase =
    window !== null &&
    personLevel &&
    !byModel &&
    !byClient &&
    dims.every((d) => d === 'user' || d === 'team') &&
    q.metrics.some(isCounter);
  // The base keeps each person's days for any client, each client and each model: one of these
  // alone as the filter (as the dashboard sends them), or none.
  const maskScope =
    f.surface !== undefined || (f.client?.length ?? 1) !== 1 || (f.model?.length ?? 1) !== 1
      ? null
      : { client: f.client?.[0] ?? '', model: f.model?.[0] ?? '' };

  const activeCount =
    q.metrics.includes('active_users') && dims.includes('time') && !personLevel && !byModel ? countRows(dims, f) : null;

  const bucket = (day: number) => (grain === 'day' ? day : weekOfDay(day));
  const firstBucket = bucket(firstDay);
  const lastBucket = bucket(lastDay);
  return {
    workspaceId: c.workspaceId,
    metrics: q.metrics,
    dims,
    grain,
    firstDay: grain === 'day' ? firstDay : weekStartDay(firstBucket),
    lastDay: grain === 'day' ? lastDay : weekStartDay(lastBucket) + 6,
    firstBucket,
    lastBucket,
    surface: f.surface,
    client: f.client,
    model: f.model,
    users,
    teamId: c.team?.id,
    foldTeams: c.seesSmallTeams ? [] : c.smallTeams,
    personLevel,
    byModel,
    window,
    personBase,
    maskScope,
    activeCount,
    order,
    limit: q.limit,
    offset: q.offset,
    totalRows: q.include.total_rows,
  };
}

// The count rows that hold a time series' active users exactly, or null. Distinct people add up
// over neither clients nor surfaces (one person on two of them counts once in all), so a bucket's
// figure must be one row: per client (a surface filter or dimension follows from the client), per
// surface (but not narrowed to some of its clients), or everyone; one client or one surface alone
// as the filter of a series without either dimension.
function countRows(dims: DimensionColumn[], f: QueryInput['filters']): ActiveCountRows | null {
  if (dims.includes('client')) return 'client';
  if (dims.includes('surface')) return f.client ? null : 'surface';
  if (f.client) return f.client.length === 1 ? 'client' : null;
  if (f.surface) return f.surface.length === 1 ? 'surface' : null;
  return 'all';
}

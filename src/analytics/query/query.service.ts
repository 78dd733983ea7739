// POST .../query: a parsed query planned for the caller (their reach, the privacy floor), run as
// one statement (query.compiler.ts), its rows shaped by name with units converted.
import { nanoToUnits } from '../../core/pricing.js';
import { bucketStartMs } from '../params.js';
import { DAY_MS } from '../../core/time.js';
import type { Db } from '../../platform/storage/database.js';
import { listTeamsWithSizes } from '../../platform/tenancy/teams.repository.js';
import { windowAnchor } from '../../ingest/index.js';
import type { UserEmails } from '../usage.service.js';
import { OTHER_TEAM, runQuery } from './query.compiler.js';
import { NANO_METRICS, type QueryInput } from './query.model.js';
import { bodyError, planQuery, type QueryPlan } from './query.plan.js';

export interface QueryCaller {
  workspaceId: string;
  /** The users the caller may see (core/authz.ts reach); null: the whole workspace. */
  reach: readonly string[] | null;
  seesSmallTeams: boolean;
}

export interface QueryOptions {
  now: number;
  lookbackDays: number;
  minTeamSize: number;
  showEmails: boolean;
  emails: UserEmails;
}

export interface QueryResult {
  object: 'analytics.query_result';
  query: { metrics: string[]; dimensions: string[]; date_range: [string, string] };
  data: Record<string, string | number | null>[];
  meta: { has_more: boolean; next_offset: number | null; total_rows?: number };
  /** The people the rows are about, when the query is per person (for person_data.viewed); not sent. */
  viewed: string[] | null;
}

// Every row counts the rows of all pages (count(*) over ()); a page past the last row has none to
// carry it, so the first row is asked for instead.
async function totalRows(db: Db, plan: QueryPlan, page: Record<string, unknown>[]): Promise<number> {
  if (page.length) return Number(page[0].total_rows);
  if (plan.offset === 0) return 0;
  const first = await runQuery(db, { ...plan, offset: 0, limit: 1 });
  return first.length ? Number(first[0].total_rows) : 0;
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export async function runAnalyticsQuery(
  db: Db,
  q: QueryInput,
  caller: QueryCaller,
  o: QueryOptions,
): Promise<QueryResult> {
  const needsTeams = q.dimensions.includes('team') || q.filters.team_id !== undefined;
  const teams = needsTeams ? await listTeamsWithSizes(db, caller.workspaceId) : [];
  const small = teams.filter((t) => t.members < o.minTeamSize).map((t) => t.id);
  let team: { id: string; small: boolean } | undefined;
  if (q.filters.team_id !== undefined) {
    const ref = q.filters.team_id;
    const t = teams.find((x) => x.id === ref) ?? teams.find((x) => x.name === ref);
    if (!t) throw bodyError(['filters', 'team_id'], `no team ${ref}`, 'value_error.team');
    team = { id: t.id, small: small.includes(t.id) };
  }
  const plan = planQuery(q, {
    windowAnchor: await windowAnchor(db, caller.workspaceId),
    workspaceId: caller.workspaceId,
    now: o.now,
    lookbackDays: o.lookbackDays,
    reach: caller.reach,
    team,
    seesSmallTeams: caller.seesSmallTeams,
    smallTeams: small,
  });

  const rows = await runQuery(db, plan);
  const more = rows.length > plan.limit;
  const page = rows.slice(0, plan.limit);
  const byUser = plan.dims.includes('user');
  const emails =
    byUser && o.showEmails
      ? await o.emails.of(
          db,
          page.map((r) => String(r.d_user)),
        )
      : null;
  const byId = new Map(teams.map((t) => [t.id, t]));
  // "other" holds every team the floor folds for this caller, whichever of them had usage.
  const folded = teams.filter((t) => plan.foldTeams.includes(t.id));
  const data = page.map((r) => {
    const out: Record<string, string | number | null> = {};
    for (const d of plan.dims) {
      const v = r[`d_${d}`];
      if (d === 'time') out.time = bucketStartMs(plan.grain, Number(v)) / 1000;
      else if (d === 'user') {
        out.user_id = String(v);
        out.email = emails?.get(String(v)) ?? null;
      } else if (d === 'team') {
        out.team_id = String(v);
        out.team_name = v === OTHER_TEAM ? null : (byId.get(String(v))?.name ?? null);
        out.members =
          v === OTHER_TEAM ? folded.reduce((n, t) => n + t.members, 0) : (byId.get(String(v))?.members ?? 0);
        if (v === OTHER_TEAM) out.teams = folded.length;
      } else out[d] = String(v);
    }
    for (const m of plan.metrics) {
      const n = Number(r[`m_${m}`] ?? 0);
      // current_streak comes as 2^streak (query.compiler.ts); powers of two are exact doubles.
      out[m] = NANO_METRICS.has(m) ? nanoToUnits(n) : m === 'current_streak' ? (n > 0 ? Math.log2(n) : 0) : n;
    }
    return out;
  });
  const perPerson = byUser || q.filters.user_id !== undefined;
  return {
    object: 'analytics.query_result',
    query: {
      metrics: plan.metrics,
      dimensions: q.dimensions,
      date_range: [isoDay(plan.firstDay), isoDay(plan.lastDay)],
    },
    data,
    meta: {
      has_more: more,
      next_offset: more ? plan.offset + plan.limit : null,
      ...(plan.totalRows ? { total_rows: await totalRows(db, plan, page) } : {}),
    },
    viewed: perPerson ? (byUser ? data.map((r) => String(r.user_id)) : [...(plan.users ?? [])]) : null,
  };
}

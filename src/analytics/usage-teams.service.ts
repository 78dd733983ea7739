// GET .../usage?group=team: one row per bucket and team, each the sum of its members' user rows (a
// user in several teams counts in each, as GitHub Copilot's metrics count them). Teams under the floor
// (the larger of analytics.min_team_size and the workspace's, decisions/0052) fold into one "other"
// row, except for admin keys.
import type { Db } from '../platform/storage/database.js';
import { listTeamsWithSizes } from '../platform/tenancy/teams.repository.js';
import { validationError } from '../core/errors.js';
import { CLOSED_TEAM_FLOOR } from '../core/analytics-privacy.js';
import type { UsageCounters } from '../ingest/ingest.tables.js';
import { teamRows } from './usage-teams.repository.js';
import { bucketPage } from './bucket-page.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';
import type { Page } from './usage.service.js';

// The floor as a reader can act on it: a number, or why every team folds.
const floorName = (n: number) =>
  n === CLOSED_TEAM_FLOOR
    ? "the workspace's settings cannot be read"
    : `${n}, analytics.min_team_size or the workspace's`;

export const OTHER_TEAM = 'other';

export interface TeamView {
  teamId?: string;
  minTeamSize: number;
  /** Owners see every team (for now: keys with the admin scope). */
  seesSmallTeams: boolean;
}

type Breakdowns = (
  clients: (UsageCounters & { client_id: string })[],
  models: (UsageCounters & { model: string })[],
) => Record<string, unknown>;

export async function teamUsagePage(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
  v: TeamView,
  breakdowns: Breakdowns,
): Promise<Page<Record<string, unknown>>> {
  const teams = await listTeamsWithSizes(db, workspaceId);
  const byId = new Map(teams.map((t) => [t.id, t]));
  const isSmall = (id: string) => !v.seesSmallTeams && byId.get(id)!.members < v.minTeamSize;
  if (v.teamId !== undefined) {
    const t = teams.find((x) => x.id === v.teamId || x.name === v.teamId);
    if (!t) throw validationError('team_id', `no team ${v.teamId}`, 'query', 'value_error.team');
    if (isSmall(t.id))
      throw validationError(
        'team_id',
        `the team has fewer members than the team floor (${floorName(v.minTeamSize)}); only owners see it alone`,
        'query',
        'value_error.team_size',
      );
    v = { ...v, teamId: t.id };
  }
  // Whole buckets per page (limit counts buckets): a team row never splits across pages.
  const { buckets: page, nextPage } = await bucketPage(db, workspaceId, q);
  if (page.length === 0) return { object: 'page', data: [], has_more: false, next_page: null };
  const { clients, models } = await teamRows(db, q.grain, workspaceId, page[0], page[page.length - 1], v.teamId);
  const rowOf = (id: string) => (isSmall(id) ? OTHER_TEAM : id);
  const data: Record<string, unknown>[] = [];
  for (const b of page) {
    const groups = new Map<string, { clients: typeof clients; models: typeof models; teams: Set<string> }>();
    const group = (id: string) => {
      const k = rowOf(id);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { clients: [], models: [], teams: new Set() }));
      g.teams.add(id);
      return g;
    };
    for (const r of clients) if (r.bucket === b) group(r.team_id).clients.push(r);
    for (const r of models) if (r.bucket === b) group(r.team_id).models.push(r);
    const keys = [...groups.keys()].sort((x, y) =>
      x === OTHER_TEAM ? 1 : y === OTHER_TEAM ? -1 : byId.get(x)!.name.localeCompare(byId.get(y)!.name),
    );
    for (const k of keys) {
      const g = groups.get(k)!;
      const folded = k === OTHER_TEAM;
      data.push({
        object: 'codex.usage',
        start_time: bucketStartMs(q.grain, b) / 1000,
        end_time: bucketEndMs(q.grain, b) / 1000,
        team_id: k,
        team_name: folded ? null : byId.get(k)!.name,
        members: [...g.teams].reduce((n, id) => n + byId.get(id)!.members, 0),
        ...(folded ? { teams: g.teams.size } : {}),
        ...breakdowns(g.clients, g.models),
      });
    }
  }
  return {
    object: 'page',
    data,
    has_more: nextPage !== null,
    next_page: nextPage,
  };
}

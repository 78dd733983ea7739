// The per-person panels' query bodies the PostgreSQL statement benches time (the ranking's first page
// and a deep page, a team's ranking, the teams panel), as the dashboard sends them.
const RANKING = ['credits', 'threads', 'turns', 'text_total_tokens', 'current_streak'];

const ranking = (extra: object) => ({
  metrics: RANKING,
  dimensions: ['user'],
  date_range: '90d',
  limit: 100,
  include: { total_rows: true },
  ...extra,
});

/** By label; with `team`, also the ranking filtered to that team. */
export function personPanelQueries(team?: string): Record<string, object> {
  return {
    'ranking by credits, 90 d, page 1': ranking({ order_by: [['credits', 'desc']] }),
    'ranking by turns, 90 d, offset 5,000': ranking({ order_by: [['turns', 'desc']], offset: 5000 }),
    ...(team ? { 'ranking, 90 d, filter team': ranking({ filters: { team_id: team } }) } : {}),
    'teams, 30 d': { metrics: ['active_users', 'turns', 'credits'], dimensions: ['team'], date_range: '30d' },
  };
}

/** planQuery's context for an owner who sees everything, at `anchor`'s base (a team filter: that team). */
export function ownerPlanContext(workspaceId: string, anchor: number | null, team?: string) {
  return {
    workspaceId,
    now: Date.now(),
    lookbackDays: 400,
    reach: null,
    seesSmallTeams: true,
    smallTeams: [],
    windowAnchor: anchor,
    team: team ? { id: team, small: false } : undefined,
  };
}

// The teams page's figures: per team the sums of its group=team rows (threads, turns, credits,
// tokens, as the API adds its members' rows) and its active users, counted from the per-user rows
// of the same window by the teams each user is in. A team the API folds into "other" (the privacy
// floor, analytics.min_team_size) is counted into "other" here too, never shown alone.
import type { TeamRow, UserRow } from './people-api.js';

export const OTHER = 'other';

export interface TeamLine {
  id: string;
  name: string;
  members: number;
  activeUsers: number;
  threads: number;
  turns: number;
  credits: number;
  tokens: number;
  creditsPerActiveUser: number | null;
  /** For "other": how many teams it holds. */
  folded?: number;
}

export function teamLines(teamRows: TeamRow[], userRows: UserRow[]): TeamLine[] {
  const lines = new Map<string, TeamLine>();
  for (const r of teamRows) {
    const l =
      lines.get(r.team_id) ??
      lines
        .set(r.team_id, {
          id: r.team_id,
          name: r.team_id === OTHER ? 'Other (small teams)' : (r.team_name ?? r.team_id),
          members: 0,
          activeUsers: 0,
          threads: 0,
          turns: 0,
          credits: 0,
          tokens: 0,
          creditsPerActiveUser: null,
        })
        .get(r.team_id)!;
    // Members are the team's current size, the same on every bucket's row: the largest one.
    l.members = Math.max(l.members, r.members);
    if (r.team_id === OTHER) l.folded = Math.max(l.folded ?? 0, r.teams ?? 0);
    l.threads += r.totals.threads;
    l.turns += r.totals.turns;
    l.credits += r.totals.credits;
    l.tokens += r.totals.text_total_tokens;
  }
  const active = new Map<string, Set<string>>();
  for (const u of userRows) {
    if (!u.user_id) continue;
    for (const t of u.teams ?? []) {
      const key = lines.has(t) && t !== OTHER ? t : OTHER;
      if (!lines.has(key)) continue;
      let s = active.get(key);
      if (!s) active.set(key, (s = new Set()));
      s.add(u.user_id);
    }
  }
  const out = [...lines.values()];
  for (const l of out) {
    l.activeUsers = active.get(l.id)?.size ?? 0;
    l.creditsPerActiveUser = l.activeUsers ? l.credits / l.activeUsers : null;
  }
  return out.sort((a, b) =>
    a.id === OTHER ? 1 : b.id === OTHER ? -1 : b.credits - a.credits || a.name.localeCompare(b.name),
  );
}

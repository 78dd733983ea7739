// The teams page's figures, one row per team as the query model computes it (dimension team): active
// users (distinct people, on the server), threads, turns, credits, tokens and the team's size. Teams
// the floor folds for the caller (analytics.min_team_size) come as one "other" row, never alone.
import type { Row } from '../api.js';

export const OTHER = 'other';

export const TEAM_METRICS = ['active_users', 'credits', 'threads', 'turns', 'text_total_tokens'];

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

export function teamLines(rows: Row[]): TeamLine[] {
  const out = rows.map((r): TeamLine => {
    const id = String(r.team_id);
    const activeUsers = Number(r.active_users);
    const credits = Number(r.credits);
    return {
      id,
      name: id === OTHER ? 'Other (small teams)' : String(r.team_name ?? id),
      members: Number(r.members),
      activeUsers,
      threads: Number(r.threads),
      turns: Number(r.turns),
      credits,
      tokens: Number(r.text_total_tokens),
      creditsPerActiveUser: activeUsers ? credits / activeUsers : null,
      ...(id === OTHER ? { folded: Number(r.teams) } : {}),
    };
  });
  return out.sort((a, b) =>
    a.id === OTHER ? 1 : b.id === OTHER ? -1 : b.credits - a.credits || a.name.localeCompare(b.name),
  );
}

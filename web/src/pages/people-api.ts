// The calls the people pages make (user, teams, adoption, keys, admin): the Analytics API, the
// admin API and the Compliance API, with the session cookie and, on changes, its CSRF token.
import { call, json, type Session, type UsageRow } from '../api.js';

const enc = encodeURIComponent;
const A = (ws: string) => `/v1/analytics/codex/workspaces/${enc(ws)}`;
const AD = (ws: string) => `/v1/admin/workspaces/${enc(ws)}`;
const C = (ws: string) => `/v1/compliance/workspaces/${enc(ws)}`;

interface Page<T> {
  data: T[];
  has_more: boolean;
  next_page: string | null;
}

async function allPages<T>(base: string, params: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let page: string | null = null;
  do {
    const q = new URLSearchParams(params);
    if (page) q.set('page', page);
    const res: Page<T> = await call(`${base}?${q}`);
    out.push(...res.data);
    page = res.has_more ? res.next_page : null;
  } while (page);
  return out;
}

export interface Window {
  start: number;
  end: number;
  groupBy: 'day' | 'week';
}
const windowParams = (w: Window) => ({
  start_time: String(w.start),
  end_time: String(w.end),
  group_by: w.groupBy,
});

export type UserRow = UsageRow & { email?: string | null; teams?: string[] };
export const userUsage = (ws: string, w: Window, userId?: string) =>
  allPages<UserRow>(`${A(ws)}/usage`, {
    ...windowParams(w),
    group: 'user',
    limit: '30000',
    ...(userId ? { user_id: userId } : {}),
  });

export interface ThreadRow {
  thread_id: string;
  client_id: string;
  model: string | null;
  host_name: string | null;
  started_at: number;
  last_activity_at: number;
  turns: number;
  model_requests: number;
  credits: number;
  text_total_tokens: number;
}
export const userThreads = (ws: string, userId: string, w: { start: number; end: number }, page?: string) =>
  call<Page<ThreadRow>>(
    `${A(ws)}/users/${enc(userId)}/threads?${new URLSearchParams({
      start_time: String(w.start),
      end_time: String(w.end),
      limit: '50',
      ...(page ? { page } : {}),
    })}`,
  );

export interface Seat {
  user_id: string;
  email: string | null;
  role: string;
  added_at: number;
  has_key: boolean;
  has_sign_in: boolean;
  first_active_at: number | null;
  last_active_at: number | null;
  days_to_first_use: number | null;
  idle_days: number | null;
  machines: number;
  turns_30d: number;
}
export interface Adoption {
  as_of: number;
  seats: number;
  with_key: number;
  with_sign_in: number;
  set_up: number;
  activated: number;
  never_active: number;
  active_last_14_days: number;
  inactive: { '14': number; '30': number; '60': number };
  median_days_to_first_use: number | null;
  days_to_first_use: { '0': number; '1-7': number; '8-30': number; '31+': number };
}
export const adoption = (ws: string) => call<Adoption>(`${A(ws)}/adoption`);

export type SeatState = 'all' | 'never_active' | 'active' | 'inactive_14' | 'inactive_30' | 'inactive_60';
export interface SeatQuery {
  state?: SeatState;
  sort?: string;
  desc?: boolean;
  offset?: number;
  limit?: number;
  users?: string[];
  /** Seats whose email (or user id, where emails are not shown) holds this text. */
  search?: string;
}
export interface SeatPage {
  data: Seat[];
  has_more: boolean;
  next_offset: number | null;
  total: number;
}
export const seats = (ws: string, q: SeatQuery) =>
  call<SeatPage>(
    `${A(ws)}/adoption/seats?${new URLSearchParams({
      ...(q.state ? { state: q.state } : {}),
      ...(q.sort ? { sort: q.sort, order: q.desc ? 'desc' : 'asc' } : {}),
      ...(q.offset ? { offset: String(q.offset) } : {}),
      ...(q.limit ? { limit: String(q.limit) } : {}),
      ...(q.users ? { user_id: q.users.join(',') } : {}),
      ...(q.search ? { search: q.search } : {}),
    })}`,
  );

export interface ComplianceRecord {
  id: string;
  event_type: string;
  timestamp: string;
  thread_id: string | null;
  content: Record<string, unknown>;
}
export const threadRecords = (ws: string, threadId: string) =>
  call<{ data: ComplianceRecord[]; has_more: boolean }>(
    `${C(ws)}/search?${new URLSearchParams({ thread_id: threadId, limit: '200' })}`,
  );

// The admin API (owners).
export interface User {
  id: string;
  email: string;
  name: string | null;
  role: string;
  created_at: number;
  removed_at: number | null;
  service: number | boolean;
}
export interface Key {
  id: string;
  name: string | null;
  prefix: string;
  scopes: string[];
  user_id: string | null;
  /** The holder's email (the key list says it, so the page needs no list of users). */
  user_email?: string | null;
  shared_collector: boolean;
  service: boolean;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}
export interface Team {
  id: string;
  name: string;
  members: number;
}
export interface Privacy {
  show_emails: boolean;
  min_team_size: number;
}
export interface Settings extends Privacy {
  lookback_days: number;
  public_url: string | null;
  server: Privacy;
  /** What this workspace set (null: not set). */
  workspace: { show_emails: boolean | null; min_team_size: number | null };
  effective: Privacy;
  unreadable: string[];
}

export function admin(s: Session) {
  const base = AD(s.workspace_id);
  const post = <T>(path: string, body: unknown = {}) => call<T>(`${base}${path}`, json(body, s.csrf_token));
  const del = <T>(path: string) => call<T>(`${base}${path}`, json({}, s.csrf_token, 'DELETE'));
  return {
    /** A page of users whose email or name holds `search` (people: no removed users, no service identities). */
    findUsers: (q: { search: string; limit: number; offset?: number; people?: boolean }) =>
      call<{ data: User[]; total: number; has_more: boolean }>(
        `${base}/users?${new URLSearchParams({
          limit: String(q.limit),
          ...(q.search ? { search: q.search } : {}),
          ...(q.offset ? { offset: String(q.offset) } : {}),
          ...(q.people ? { people: 'true' } : {}),
        })}`,
      ),
    addUser: (email: string, role: string) => post<User>('/users', { email, role }),
    setRole: (id: string, role: string) => post<User>(`/users/${enc(id)}/role`, { role }),
    remove: (id: string) => post<User>(`/users/${enc(id)}/remove`),
    resetLink: (id: string) => post<{ url: string; expires_at: number }>(`/users/${enc(id)}/reset_link`),
    keys: async () => (await call<{ data: Key[] }>(`${base}/keys`)).data,
    createKey: (body: { scopes: string[]; user?: string; name?: string }) =>
      post<Key & { secret: string }>('/keys', body),
    revoke: (id: string) => post<Key>(`/keys/${enc(id)}/revoke`),
    rotate: (id: string, graceHours: number) =>
      post<Key & { secret: string; old: Key }>(`/keys/${enc(id)}/rotate`, { grace_hours: graceHours }),
    teams: async () => (await call<{ data: Team[] }>(`${base}/teams`)).data,
    team: (id: string) =>
      call<Team & { member_list: { user_id: string; email: string }[] }>(`${base}/teams/${enc(id)}`),
    createTeam: (name: string) => post<Team>('/teams', { name }),
    addMember: (team: string, email: string) => post(`/teams/${enc(team)}/members`, { email }),
    removeMember: (team: string, user: string) => del(`/teams/${enc(team)}/members/${enc(user)}`),
    settings: () => call<Settings>(`${base}/settings`),
    setSettings: (patch: Partial<Privacy>) => call<Settings>(`${base}/settings`, json(patch, s.csrf_token, 'PATCH')),
  };
}

export type ContentPolicy = Record<string, unknown> & {
  prompt: string;
  response: string;
  tool_arguments: string;
  tool_output: string;
  dlp_redact: boolean;
};
export const policy = (ws: string) => call<ContentPolicy>(`${C(ws)}/policy`);
export const setPolicy = (s: Session, patch: Partial<ContentPolicy>) =>
  call<ContentPolicy>(`${C(s.workspace_id)}/policy`, json(patch, s.csrf_token, 'PUT'));

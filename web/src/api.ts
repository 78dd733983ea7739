// The dashboard's only door to the server: the /auth/* routes and the Analytics API, called with
// the session cookie (same origin), the CSRF token on every state-changing request.
export interface Session {
  user: { id: string; email: string; role: string };
  workspace_id: string;
  csrf_token: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = body?.error ?? {};
    const detail = Array.isArray(body?.detail) ? body.detail[0]?.msg : undefined;
    throw new ApiError(res.status, err.code ?? 'error', detail ?? err.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export const json = (body: unknown, csrf?: string, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
  body: JSON.stringify(body),
});

/** The signed-in session, or null when there is none (401). */
export async function currentSession(): Promise<Session | null> {
  try {
    return await call<Session>('/auth/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export const signIn = (email: string, password: string) => call<Session>('/auth/sign-in', json({ email, password }));
export const signOut = (csrf: string) => call('/auth/sign-out', json({}, csrf));
export const setPassword = (body: { token: string; password: string; email?: string; name?: string }) =>
  call<{ email: string }>('/auth/set-password', json(body));

/** A query of the Analytics API's query model (POST .../query, decisions/0033). */
export interface Query {
  metrics: string[];
  dimensions?: string[];
  filters?: { surface?: string[]; client?: string[]; model?: string[]; team_id?: string; user_id?: string[] };
  date_range: [string, string] | string;
  order_by?: [string, 'asc' | 'desc'][];
  limit?: number;
  offset?: number;
  include?: { total_rows?: boolean };
}
export type Row = Record<string, number | string | null>;
export interface QueryResult {
  query: { metrics: string[]; dimensions: string[]; date_range: [string, string] };
  data: Row[];
  meta: { has_more: boolean; next_offset: number | null; total_rows?: number };
}

/** One query: the rows as the server computed, sorted and paged them (the page sums nothing). */
export const query = (session: Session, q: Query) =>
  call<QueryResult>(
    `/v1/analytics/codex/workspaces/${encodeURIComponent(session.workspace_id)}/query`,
    json(q, session.csrf_token),
  );

/** GET .../freshness: per source its newest stored event and when it stored one (Unix ms, null: never). */
export interface Freshness {
  as_of: number;
  newest_event_at: number | null;
  sources: {
    source: 'otlp' | 'rollout' | 'api' | 'code_review';
    newest_event_at: number | null;
    stored_at: number | null;
  }[];
}
export const freshness = (session: Session) =>
  call<Freshness>(`/v1/analytics/codex/workspaces/${encodeURIComponent(session.workspace_id)}/freshness`);

/** A row of the Analytics API's usage endpoint (one user, one bucket), as the people pages read it. */
type Totals = {
  threads: number;
  turns: number;
  credits: number;
  cost_usd: number;
  text_total_tokens: number;
};
export interface UsageRow {
  start_time: number;
  end_time: number;
  user_id?: string;
  totals: Totals;
  clients: ({ client_id: string } & Totals)[];
  models: ({ model: string } & Omit<Totals, 'threads'>)[];
}

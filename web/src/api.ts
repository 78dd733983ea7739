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

export const json = (body: unknown, csrf?: string): RequestInit => ({
  method: 'POST',
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

export interface UsageQuery {
  start: number;
  end: number;
  groupBy: 'day' | 'week';
}

/** Every usage row (one per user and bucket) of the window, page after page. */
export async function usageRows(workspace: string, q: UsageQuery): Promise<UsageRow[]> {
  const rows: UsageRow[] = [];
  let page: string | null = null;
  do {
    const params = new URLSearchParams({
      start_time: String(q.start),
      end_time: String(q.end),
      group_by: q.groupBy,
      group: 'user',
      limit: '30000',
    });
    if (page) params.set('page', page);
    const res: { data: UsageRow[]; next_page: string | null; has_more: boolean } = await call(
      `/v1/analytics/codex/workspaces/${encodeURIComponent(workspace)}/usage?${params}`,
    );
    rows.push(...res.data);
    page = res.has_more ? res.next_page : null;
  } while (page);
  return rows;
}

// The Compliance API as the Compliance page calls it (the session cookie; the CSRF token on changes).
import { call, json } from '../api.js';

export const EVENT_TYPES = ['CODEX_LOG', 'CODEX_SECURITY_LOG', 'AUDIT_LOG', 'AUTH_LOG'] as const;

export interface ComplianceRecord {
  id: string;
  seq: number;
  event_type: string;
  timestamp: string;
  ts: number;
  recorded_at: number;
  user_id: string | null;
  thread_id: string | null;
  content: Record<string, unknown> | null;
  content_sha256: string;
  prev_hash: string;
  hash: string;
}
export interface Hold {
  id: string;
  user_id: string | null;
  thread_id: string | null;
  start_time: string | null;
  end_time: string | null;
  reason: string | null;
  created_at: string;
  created_by: string | null;
  released_at: string | null;
  active: boolean;
}
export interface LogFile {
  id: string;
  event_type: string;
  start_time: string;
  end_time: string;
  url: string;
}
export interface Sink {
  name: string;
  type: string;
  enabled: boolean;
  lag: number;
  delivered: number;
  dead_letters: number;
  last_error: string | null;
  last_error_at: string | null;
}
export interface Verification {
  ok: boolean;
  records: number;
  problems: number;
  content_removed_by_retention: number;
  head: { seq: number; hash: string } | null;
  first_bad: { seq: number; reason?: string } | null;
  checkpoints_checked: number;
  newest_checkpoint: { seq: number; signed_at: string } | null;
  duration_ms: number;
}

const base = (ws: string) => `/v1/compliance/workspaces/${encodeURIComponent(ws)}`;

export interface SearchQuery {
  q?: string;
  user?: string;
  thread_id?: string;
  event_type?: string;
  start_time?: string;
  end_time?: string;
  after?: string;
}

export function search(ws: string, q: SearchQuery) {
  const params = new URLSearchParams({ order: 'desc', limit: '50' });
  for (const [k, v] of Object.entries(q)) if (v) params.set(k, v);
  return call<{ data: ComplianceRecord[]; has_more: boolean; next_cursor: string | null }>(
    `${base(ws)}/search?${params}`,
  );
}

export const holds = (ws: string) => call<{ data: Hold[] }>(`${base(ws)}/holds`).then((r) => r.data);
export const placeHold = (ws: string, csrf: string, body: Record<string, string>) =>
  call<Hold>(`${base(ws)}/holds`, json(body, csrf));
export const releaseHold = (ws: string, csrf: string, id: string) =>
  call<Hold>(`${base(ws)}/holds/${encodeURIComponent(id)}/release`, json({}, csrf));
export const logFiles = (ws: string, eventType: string) =>
  call<{ data: LogFile[]; has_more: boolean }>(`${base(ws)}/logs?event_type=${eventType}&limit=1000`);
export const sinks = (ws: string) => call<{ data: Sink[] }>(`${base(ws)}/sinks`).then((r) => r.data);
export const verify = (ws: string) => call<Verification>(`${base(ws)}/verify`);

const textOf = (v: unknown): string | null =>
  typeof v === 'string' && v
    ? v
    : v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string'
      ? (v as { text: string }).text
      : null;

/** What a record is (a prompt, a tool call, an audited action), for the list. */
export function kindOf(r: ComplianceRecord): string {
  const c = r.content ?? {};
  for (const k of ['kind', 'action', 'type', 'name']) if (typeof c[k] === 'string') return String(c[k]);
  return r.event_type;
}

/** A one-line summary of a record's content: its text where it has one (a prompt, a reply). */
export function summaryOf(r: ComplianceRecord): string {
  if (r.content === null) return '(content removed by retention)';
  const c = r.content;
  for (const k of ['prompt', 'response', 'text', 'message', 'output', 'tool_name']) {
    const t = textOf(c[k]);
    if (t) return t.slice(0, 200);
  }
  return JSON.stringify(c).slice(0, 200);
}

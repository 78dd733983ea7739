// What the Tools and skills page shows, from GET .../tools (per tool, per MCP server) and, where the
// server has it, GET .../skills. Pure sums of the API's rows.
import { ApiError } from '../api.js';
import { analyticsRows, type Bucketed, perBucket } from '../components/analytics.js';
import type { Grain } from '../components/range.js';
import type { Line } from '../components/time-chart.js';

interface Calls {
  calls: number;
  succeeded: number;
  failed: number;
  duration_ms: number;
  timed_calls: number;
}
export interface ToolRow extends Bucketed, Calls {
  tool_name: string;
  decisions: { approved: number; denied: number; aborted: number };
  decided_by: { user: number; config: number; automated_reviewer: number };
}
export interface McpRow extends Bucketed, Calls {
  mcp_server: string;
}
export interface SkillRow extends Bucketed {
  invocations: number;
  skills: { skill_name: string; scope: string; invocations: number }[];
}

export interface ToolsData {
  tools: ToolRow[];
  mcp: McpRow[];
  /** null: this server has no skills endpoint (the panel is left out). */
  skills: SkillRow[] | null;
}

// Workspace rows (per-user rows would put a person_data.viewed record on file for a chart); a server
// without the skills read answers 404, which leaves the panel out.
async function skillsOrNull(ws: string, q: { start: number; end: number; grain: Grain }) {
  try {
    return await analyticsRows<SkillRow>(ws, 'skills', { ...q, group: 'workspace' });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function loadTools(ws: string, q: { start: number; end: number; grain: Grain }): Promise<ToolsData> {
  const [tools, mcp, skills] = await Promise.all([
    analyticsRows<ToolRow>(ws, 'tools', q),
    analyticsRows<McpRow>(ws, 'tools', { ...q, group: 'mcp_server' }),
    skillsOrNull(ws, q),
  ]);
  return { tools, mcp, skills };
}

export interface ToolLine extends Calls {
  name: string;
  approved: number;
  denied: number;
  aborted: number;
  byUser: number;
  byConfig: number;
  byReviewer: number;
}

const empty = (name: string): ToolLine => ({
  name,
  calls: 0,
  succeeded: 0,
  failed: 0,
  duration_ms: 0,
  timed_calls: 0,
  approved: 0,
  denied: 0,
  aborted: 0,
  byUser: 0,
  byConfig: 0,
  byReviewer: 0,
});

function addCalls(l: Calls, r: Calls) {
  l.calls += r.calls;
  l.succeeded += r.succeeded;
  l.failed += r.failed;
  l.duration_ms += r.duration_ms;
  l.timed_calls += r.timed_calls;
}

/** One line per tool over the range. */
export function toolTable(rows: ToolRow[]): ToolLine[] {
  const m = new Map<string, ToolLine>();
  for (const r of rows) {
    let l = m.get(r.tool_name);
    if (!l) m.set(r.tool_name, (l = empty(r.tool_name)));
    addCalls(l, r);
    l.approved += r.decisions.approved;
    l.denied += r.decisions.denied;
    l.aborted += r.decisions.aborted;
    l.byUser += r.decided_by.user;
    l.byConfig += r.decided_by.config;
    l.byReviewer += r.decided_by.automated_reviewer;
  }
  return [...m.values()];
}

export function mcpTable(rows: McpRow[]): ToolLine[] {
  const m = new Map<string, ToolLine>();
  for (const r of rows) {
    let l = m.get(r.mcp_server);
    if (!l) m.set(r.mcp_server, (l = empty(r.mcp_server)));
    addCalls(l, r);
  }
  return [...m.values()];
}

export function skillTable(rows: SkillRow[]) {
  const m = new Map<string, { name: string; scope: string; invocations: number }>();
  for (const r of rows)
    for (const s of r.skills) {
      const k = `${s.skill_name}\u0000${s.scope}`;
      const l = m.get(k) ?? { name: s.skill_name, scope: s.scope, invocations: 0 };
      l.invocations += s.invocations;
      m.set(k, l);
    }
  return [...m.values()];
}

export const failureRate = (l: Calls) => (l.calls ? l.failed / l.calls : null);
export const avgDuration = (l: Calls) => (l.timed_calls ? l.duration_ms / l.timed_calls : null);

export function totals(lines: ToolLine[]) {
  const t = empty('all');
  for (const l of lines) {
    addCalls(t, l);
    t.approved += l.approved;
    t.denied += l.denied;
    t.aborted += l.aborted;
    t.byUser += l.byUser;
    t.byConfig += l.byConfig;
    t.byReviewer += l.byReviewer;
  }
  return t;
}

/** Calls over time: the busiest tools each as a series, the rest summed as "All others". */
export function callSeries(rows: ToolRow[], x: number[], lines: ToolLine[], top = 6): Line[] {
  const names = [...lines].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name)).slice(0, top);
  const shown = new Set(names.map((n) => n.name));
  const out = names.map((n) => ({
    key: n.name,
    values: perBucket(rows, x, (r) => (r.tool_name === n.name ? r.calls : 0)),
  }));
  if (lines.length > top)
    out.push({ key: 'All others', values: perBucket(rows, x, (r) => (shown.has(r.tool_name) ? 0 : r.calls)) });
  return out;
}

export function outcomeSeries(rows: ToolRow[], x: number[]): Line[] {
  return [
    { key: 'Succeeded', values: perBucket(rows, x, (r) => r.succeeded) },
    { key: 'Failed', values: perBucket(rows, x, (r) => r.failed) },
  ];
}

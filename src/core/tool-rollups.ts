// The tool-call rollup rules: what one stored or completed tool call adds to tool_calls_day (per
// tool name) and tool_mcp_day (per MCP server). Pure: no I/O.
//
// A call's decision and its result arrive as two records, in either order, possibly from two
// sources; the tool_events upsert fills only the fields a row lacks and writes, in the row's `gained`
// column, which parts this very statement filled (the bits below). RETURNING hands those bits back,
// so each part is counted exactly once with no read before the write: a replay fills nothing and
// is not returned, a second source's copy of a known result fills nothing of the result.
import { addCounter } from './bounds.js';

/** The row's decision was filled by this statement. */
export const GAINED_DECISION = 1;
/** The row's result (success and/or duration) was filled by this statement. */
export const GAINED_RESULT = 2;

export const TOOL_COUNTERS = [
  'calls',
  'succeeded',
  'failed',
  'duration_ms',
  'timed_calls',
  'approved',
  'denied',
  'aborted',
  'by_user',
  'by_config',
  'by_reviewer',
] as const;
export type ToolCounter = (typeof TOOL_COUNTERS)[number];
export const MCP_COUNTERS = ['calls', 'succeeded', 'failed', 'duration_ms', 'timed_calls'] as const;

/** What the upsert returns for a call it inserted or completed (post-update values). */
export interface GainedTool {
  workspace_id: string;
  ts: number;
  gained: number;
  tool_name: string | null;
  decision: string | null;
  decision_source: string | null;
  success: number | null;
  duration_ms: number | null;
  /** From the record that brought the result (not stored in tool_events). */
  mcpServer?: string;
}

/** The gained bits of a row being inserted: the parts it carries. */
export function gainedOnInsert(row: Record<string, unknown>): number {
  return (
    (row.decision != null ? GAINED_DECISION : 0) | (row.success != null || row.duration_ms != null ? GAINED_RESULT : 0)
  );
}

// ReviewDecision, lowercased by Codex (approved, approved_for_session, approved_execpolicy_amendment,
// denied, abort, timed_out…): everything that is neither an approval nor a denial stopped the call.
function decisionClass(d: string): 'approved' | 'denied' | 'aborted' {
  const v = d.toLowerCase();
  return v.startsWith('approved') ? 'approved' : v === 'denied' ? 'denied' : 'aborted';
}

// Config, User, AutomatedReviewer (some versions snake_case); another source is counted in none.
function sourceClass(s: string | null): 'by_user' | 'by_config' | 'by_reviewer' | null {
  const v = (s ?? '').toLowerCase().replace(/_/g, '');
  return v === 'user' ? 'by_user' : v === 'config' ? 'by_config' : v === 'automatedreviewer' ? 'by_reviewer' : null;
}

/** The MCP server of a call: the record's mcp_server, else the `mcp__server__tool` name session files use. */
export function mcpServerOf(toolName: string | null, mcpServer: string | undefined): string | null {
  if (mcpServer) return mcpServer;
  const m = toolName ? /^mcp__(.+?)__/.exec(toolName) : null;
  return m ? m[1] : null;
}

/** A tool name for the rollup key: a call whose records named no tool is counted as "unknown". */
export const toolNameOf = (t: GainedTool) => t.tool_name || 'unknown';

/** The counters one returned row adds (empty when it gained nothing counted). */
export function toolContribution(t: GainedTool): Partial<Record<ToolCounter, number>> {
  const c: Partial<Record<ToolCounter, number>> = {};
  if (t.gained & GAINED_DECISION && t.decision) {
    c[decisionClass(t.decision)] = 1;
    const by = sourceClass(t.decision_source);
    if (by) c[by] = 1;
  }
  if (t.gained & GAINED_RESULT) {
    c.calls = 1;
    if (t.success === 1) c.succeeded = 1;
    if (t.success === 0) c.failed = 1;
    if (t.duration_ms != null) {
      c.duration_ms = t.duration_ms;
      c.timed_calls = 1;
    }
  }
  return c;
}

type Row = Record<string, string | number>;

/** Sums the contributions of a batch's returned rows into rollup rows, one per table and key. */
export function toolRollupRows(gained: readonly GainedTool[], dayOf: (ms: number) => number) {
  const tools = new Map<string, Row>();
  const mcp = new Map<string, Row>();
  const bump = (m: Map<string, Row>, key: Row, counters: readonly string[], c: Record<string, number>) => {
    const id = Object.values(key).join('\u0000');
    let row = m.get(id);
    if (!row) m.set(id, (row = { ...key, ...Object.fromEntries(counters.map((k) => [k, 0])) }));
    for (const [k, v] of Object.entries(c)) row[k] = addCounter(row[k] as number, v);
  };
  for (const t of gained) {
    const c = toolContribution(t);
    if (Object.keys(c).length === 0) continue;
    const bucket = dayOf(t.ts);
    bump(tools, { workspace_id: t.workspace_id, bucket, tool_name: toolNameOf(t) }, TOOL_COUNTERS, c);
    const server = t.gained & GAINED_RESULT ? mcpServerOf(t.tool_name, t.mcpServer) : null;
    if (server) {
      const { calls, succeeded, failed, duration_ms, timed_calls } = c;
      const own = Object.fromEntries(
        Object.entries({ calls, succeeded, failed, duration_ms, timed_calls }).filter(([, v]) => v !== undefined),
      ) as Record<string, number>;
      bump(mcp, { workspace_id: t.workspace_id, bucket, mcp_server: server }, MCP_COUNTERS, own);
    }
  }
  return { tools: [...tools.values()], mcp: [...mcp.values()] };
}

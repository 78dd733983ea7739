// Tool calls: the tool_events upsert (decision and result arrive as two records and merge into one
// row) and the tool rollups it feeds. The upsert writes into `gained` which parts it filled and
// returns them (core/tool-rollups.ts), so the rollups count each part once, read nothing first.
import { conflictAddCounters, type InsertSpec } from '../platform/storage/bulk-insert.js';
import { dayOf } from '../core/time.js';
import { GAINED_DECISION, GAINED_RESULT, MCP_COUNTERS, TOOL_COUNTERS, toolRollupRows } from '../core/tool-rollups.js';
import type { GainedTool } from '../core/tool-rollups.js';
import type { CounterRow } from '../core/rollups.js';

// Arguments and output are content: they go to the compliance archive only (migration 0005).
const TOOL_FIELDS = ['tool_name', 'decision', 'decision_source', 'success', 'duration_ms'];
const T = '"tool_events"';
// Right-hand sides of SET read the row as it was before this statement (both dialects).
const GAINED =
  `(case when ${T}."decision" is null and "excluded"."decision" is not null then ${GAINED_DECISION} else 0 end)` +
  ` + (case when ${T}."success" is null and ${T}."duration_ms" is null` +
  ` and ("excluded"."success" is not null or "excluded"."duration_ms" is not null) then ${GAINED_RESULT} else 0 end)`;

// A stored call gains the fields it lacked; an update that fills nothing is skipped (a replay), so
// RETURNING names exactly the calls this batch inserted or completed, with the source that stored
// each first (never updated) and what each gained.
export const TOOL_EVENTS: InsertSpec = {
  table: 'tool_events',
  columns: ['workspace_id', 'tool_key', 'thread_id', 'user_id', 'call_id', 'ts', ...TOOL_FIELDS, 'source', 'gained'],
  onConflict:
    'on conflict ("workspace_id", "tool_key") do update set ' +
    TOOL_FIELDS.map((c) => `"${c}" = coalesce("excluded"."${c}", ${T}."${c}")`).join(', ') +
    `, "gained" = ${GAINED}` +
    ` where ${TOOL_FIELDS.map((c) => `(${T}."${c}" is null and "excluded"."${c}" is not null)`).join(' or ')}`,
  returning: ['workspace_id', 'tool_key', 'source', 'ts', 'gained', ...TOOL_FIELDS],
};

const spec = (table: string, keys: string[], counters: readonly string[]): InsertSpec => ({
  table,
  columns: [...keys, ...counters],
  onConflict: conflictAddCounters(table, keys, counters),
});
const TOOLS_DAY = spec('tool_calls_day', ['workspace_id', 'bucket', 'tool_name'], TOOL_COUNTERS);
const MCP_DAY = spec('tool_mcp_day', ['workspace_id', 'bucket', 'mcp_server'], MCP_COUNTERS);

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const byKey = (keys: string[]) => (a: CounterRow, b: CounterRow) => {
  for (const k of keys) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
};

/**
 * The rollup upserts for the calls the TOOL_EVENTS upsert returned (values as the driver gives
 * them: text on PostgreSQL), rows in key order (concurrent writers lock alike). `mcpServerOf`: the
 * MCP server the batch's record named for a tool key, when it did.
 */
export function toolRollupInserts(
  returned: readonly Record<string, unknown>[],
  mcpServerOf: (toolKey: string) => string | undefined,
): { spec: InsertSpec; rows: CounterRow[] }[] {
  const gained: GainedTool[] = returned.map((r) => ({
    workspace_id: String(r.workspace_id),
    ts: Number(r.ts),
    gained: Number(r.gained),
    tool_name: (r.tool_name as string | null) ?? null,
    decision: (r.decision as string | null) ?? null,
    decision_source: (r.decision_source as string | null) ?? null,
    success: num(r.success),
    duration_ms: num(r.duration_ms),
    mcpServer: mcpServerOf(String(r.tool_key)),
  }));
  const { tools, mcp } = toolRollupRows(gained, dayOf);
  const out: { spec: InsertSpec; rows: CounterRow[] }[] = [];
  if (tools.length) out.push({ spec: TOOLS_DAY, rows: tools.sort(byKey(['workspace_id', 'bucket', 'tool_name'])) });
  if (mcp.length) out.push({ spec: MCP_DAY, rows: mcp.sort(byKey(['workspace_id', 'bucket', 'mcp_server'])) });
  return out;
}

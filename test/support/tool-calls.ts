// Tool calls as Codex sends them: the codex.tool_decision and codex.tool_result records of a real
// capture (appserver-vscode), copied with another call id, tool, outcome, duration, MCP server and
// time; plus the ground truth of a list of calls, computed here from the list (not by src/).
import { loadOtlp } from './otlp.js';

export interface ToolCallSpec {
  callId: string;
  tool: string;
  at: number; // ms: the decision's time (the result comes 1 s later)
  decision?: string; // none: no decision record (the TUI sends none)
  source?: string;
  success?: boolean; // none: no result record (denied)
  durationMs?: number;
  mcpServer?: string;
}

const capture = loadOtlp('appserver-vscode.otel-logs.json');
const resource = capture.resourceLogs[0].resource;
const scope = capture.resourceLogs[0].scopeLogs[0].scope;
const recordOf = (name: string) =>
  capture.resourceLogs[0].scopeLogs[0].logRecords.find((r: any) =>
    r.attributes.some((a: any) => a.key === 'event.name' && a.value.stringValue === name),
  );
const DECISION = recordOf('codex.tool_decision');
const RESULT = recordOf('codex.tool_result');

function withAttrs(record: any, set: Record<string, string>): any {
  const copy = structuredClone(record);
  for (const a of copy.attributes) if (a.key in set) a.value = { stringValue: set[a.key] };
  return copy;
}

/** The records of the calls: `parts` picks decisions, results or both. */
export function toolRecords(calls: ToolCallSpec[], parts: 'decision' | 'result' | 'both' = 'both'): any[] {
  const out: any[] = [];
  for (const c of calls) {
    const common = {
      call_id: c.callId,
      tool_name: c.tool,
      'conversation.id': `0199aaaa-0000-7000-8000-${c.callId.padStart(12, '0').slice(-12)}`,
    };
    if (c.decision && parts !== 'result')
      out.push(
        withAttrs(DECISION, {
          ...common,
          decision: c.decision,
          source: c.source ?? 'Config',
          'event.timestamp': new Date(c.at).toISOString(),
        }),
      );
    if (c.success !== undefined && parts !== 'decision')
      out.push(
        withAttrs(RESULT, {
          ...common,
          success: String(c.success),
          duration_ms: String(c.durationMs ?? 0),
          mcp_server: c.mcpServer ?? '',
          'event.timestamp': new Date(c.at + 1000).toISOString(),
        }),
      );
  }
  return out;
}

export const otlpOf = (records: any[]) => ({
  resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: records }] }],
});

export interface ToolTruth {
  calls: number;
  succeeded: number;
  failed: number;
  duration_ms: number;
  approved: number;
  denied: number;
  aborted: number;
  by_user: number;
  by_config: number;
}

/** Sums per key (e.g. tool name, or day + tool) over the calls `keep` selects. */
export function toolTruth(calls: ToolCallSpec[], key: (c: ToolCallSpec) => string | null): Map<string, ToolTruth> {
  const m = new Map<string, ToolTruth>();
  for (const c of calls) {
    const k = key(c);
    if (k === null) continue;
    const t = m.get(k) ?? {
      calls: 0,
      succeeded: 0,
      failed: 0,
      duration_ms: 0,
      approved: 0,
      denied: 0,
      aborted: 0,
      by_user: 0,
      by_config: 0,
    };
    if (c.success !== undefined) {
      t.calls++;
      if (c.success) t.succeeded++;
      else t.failed++;
      t.duration_ms += c.durationMs ?? 0;
    }
    if (c.decision === 'approved' || c.decision === 'approved_for_session') t.approved++;
    else if (c.decision === 'denied') t.denied++;
    else if (c.decision) t.aborted++;
    if (c.decision && (c.source ?? 'Config') === 'User') t.by_user++;
    if (c.decision && (c.source ?? 'Config') === 'Config') t.by_config++;
    m.set(k, t);
  }
  return m;
}

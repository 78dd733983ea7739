// Tools and skills: tool calls by name, approval decisions and who made them, failure rates and
// durations, MCP servers, and skill invocations where the server reports them (tools-data.ts).
import '../components/panels.css';
import { useMemo } from 'preact/hooks';
import type { Session } from '../api.js';
import { BarList } from '../components/bar-list.js';
import { type Column, SortTable } from '../components/sort-table.js';
import { bucketStarts } from '../components/range.js';
import { RangeBar, useLoaded, useRange } from '../components/range-bar.js';
import { TimeChart } from '../components/time-chart.js';
import { Tiles } from '../components/tiles.js';
import { fmtInt } from '../format.js';
import {
  avgDuration,
  callSeries,
  failureRate,
  loadTools,
  mcpTable,
  outcomeSeries,
  skillTable,
  type ToolLine,
  toolTable,
  totals,
} from './tools-data.js';

const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(1)}%`);
const ms = (n: number | null) => (n === null ? '–' : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

const calls = (label: string): Column<ToolLine>[] => [
  { key: 'name', label, value: (r) => r.name, head: true, show: (r) => <code>{r.name}</code> },
  { key: 'calls', label: 'Calls', value: (r) => r.calls, show: (r) => fmtInt(r.calls) },
  { key: 'failed', label: 'Failed', value: (r) => r.failed, show: (r) => fmtInt(r.failed) },
  { key: 'rate', label: 'Failure rate', value: failureRate, show: (r) => pct(failureRate(r)) },
  { key: 'avg', label: 'Avg duration', value: avgDuration, show: (r) => ms(avgDuration(r)) },
];
const TOOL_COLUMNS: Column<ToolLine>[] = [
  ...calls('Tool'),
  { key: 'approved', label: 'Approved', value: (r) => r.approved, show: (r) => fmtInt(r.approved) },
  { key: 'denied', label: 'Denied', value: (r) => r.denied, show: (r) => fmtInt(r.denied) },
  { key: 'aborted', label: 'Aborted', value: (r) => r.aborted, show: (r) => fmtInt(r.aborted) },
];

export default function Tools({ session }: { session: Session }) {
  const range = useRange();
  const { start, end } = range.window;
  const { data, error } = useLoaded(
    () => loadTools(session.workspace_id, { start, end, grain: range.grain }),
    [start, end, range.grain, session.workspace_id],
  );
  const x = useMemo(() => bucketStarts(start, end, range.grain), [start, end, range.grain]);
  const view = useMemo(() => {
    if (!data) return null;
    const tools = toolTable(data.tools);
    return {
      tools,
      mcp: mcpTable(data.mcp),
      skills: data.skills && skillTable(data.skills),
      all: totals(tools),
      series: callSeries(data.tools, x, tools),
      outcomes: outcomeSeries(data.tools, x),
    };
  }, [data, x]);
  const t = view?.all;
  const mcpCalls = view ? view.mcp.reduce((a, m) => a + m.calls, 0) : null;
  const per = range.grain === 'day' ? 'per day' : 'per week';
  return (
    <>
      <RangeBar title="Tools and skills" range={range} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <Tiles
        label={`Tool call totals for the last ${range.days} days`}
        tiles={[
          { key: 'calls', label: 'Tool calls', value: t?.calls ?? null, text: t ? fmtInt(t.calls) : '–' },
          {
            key: 'failure',
            label: 'Failure rate',
            value: t ? failureRate(t) : null,
            text: t ? pct(failureRate(t)) : '–',
            note: t ? `${fmtInt(t.failed)} failed` : undefined,
          },
          { key: 'avg', label: 'Avg duration', value: t ? avgDuration(t) : null, text: t ? ms(avgDuration(t)) : '–' },
          { key: 'approved', label: 'Approved', value: t?.approved ?? null, text: t ? fmtInt(t.approved) : '–' },
          {
            key: 'denied',
            label: 'Denied or aborted',
            value: t ? t.denied + t.aborted : null,
            text: t ? fmtInt(t.denied + t.aborted) : '–',
          },
          { key: 'mcp', label: 'MCP calls', value: mcpCalls, text: mcpCalls === null ? '–' : fmtInt(mcpCalls) },
        ]}
      />
      <div class="grid-2">
        <section class="panel" aria-labelledby="calls-title">
          <h2 id="calls-title">Calls by tool · {per} (UTC)</h2>
          {view ? (
            <TimeChart x={x} lines={view.series} label={`Tool calls by tool, stacked, ${per}`} testId="calls" />
          ) : (
            <p class="loading">Loading…</p>
          )}
        </section>
        <section class="panel" aria-labelledby="outcomes-title">
          <h2 id="outcomes-title">Succeeded and failed · {per} (UTC)</h2>
          {view ? (
            <TimeChart
              x={x}
              lines={view.outcomes}
              label={`Tool calls that succeeded and failed, ${per}`}
              testId="outcomes"
            />
          ) : (
            <p class="loading">Loading…</p>
          )}
        </section>
      </div>
      <div class="grid-2">
        <section class="panel" aria-labelledby="decisions-title">
          <h2 id="decisions-title">Approval decisions</h2>
          {t && (
            <>
              <BarList
                label="Approval decisions"
                testId="decisions"
                items={[
                  { key: 'Approved', value: t.approved },
                  { key: 'Denied', value: t.denied },
                  { key: 'Aborted', value: t.aborted },
                ]}
              />
              <h3>Decided by</h3>
              <BarList
                label="Who decided"
                testId="decided-by"
                items={[
                  { key: 'Configuration', value: t.byConfig },
                  { key: 'User', value: t.byUser },
                  { key: 'Automated reviewer', value: t.byReviewer },
                ]}
              />
            </>
          )}
        </section>
        <section class="panel" aria-labelledby="mcp-title">
          <h2 id="mcp-title">MCP servers</h2>
          {view && (
            <SortTable
              rows={view.mcp}
              columns={calls('Server')}
              rowKey={(r) => r.name}
              initialSort="calls"
              caption="Calls per MCP server over the range"
              testId="mcp"
            />
          )}
        </section>
      </div>
      <section class="panel" aria-labelledby="tools-title">
        <h2 id="tools-title">By tool</h2>
        {view ? (
          <SortTable
            rows={view.tools}
            columns={TOOL_COLUMNS}
            rowKey={(r) => r.name}
            initialSort="calls"
            caption="Tool calls per tool over the range"
            testId="tools"
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
      {view?.skills && (
        <section class="panel" aria-labelledby="skills-title" data-testid="skills-panel">
          <h2 id="skills-title">Skill invocations</h2>
          {view.skills.length === 0 ? (
            <p class="empty">No skill invocations in this range.</p>
          ) : (
            <BarList
              label="Skill invocations over the range"
              testId="skills"
              items={[...view.skills]
                .sort((a, b) => b.invocations - a.invocations || a.name.localeCompare(b.name))
                .map((s) => ({ key: s.scope ? `${s.name} (${s.scope})` : s.name, value: s.invocations }))}
            />
          )}
        </section>
      )}
    </>
  );
}

// The overview: tiles with the change against the previous period of the same length, credits or
// tokens by surface or model stacked over time, active users by surface, threads and turns by
// client, how fresh the data is, and the users ranking. Each panel is one query of the Analytics
// API's query model, computed by the server (the page sums nothing). A member's session gets only
// their own usage from the server, so the same page is their personal view.
import { useEffect, useState } from 'preact/hooks';
import { freshness, query, type Freshness, type Row, type Session } from './api.js';
import { StackedChart } from './chart.js';
import { ChartHead, measureName } from './components/chart-head.js';
import { ExportLink } from './components/export-link.js';
import { FreshnessLine } from './components/freshness.js';
import { fmtDay, fmtDec, fmtInt, fmtPct, fmtUsd } from './format.js';
import { type Breakdown, change, type Measure, newestBucket, SURFACE_NAMES, series } from './overview-data.js';
import { bucketStarts, windowOf } from './components/range.js';
import { RangeChoices } from './components/range-bar.js';
import { Ranking } from './ranking.js';

const TILES: { key: string; label: string; fmt: (n: number) => string }[] = [
  { key: 'active_users', label: 'Active users', fmt: fmtInt },
  { key: 'threads', label: 'Threads', fmt: fmtInt },
  { key: 'turns', label: 'Turns', fmt: fmtInt },
  { key: 'credits', label: 'Credits', fmt: fmtDec },
  { key: 'cost_usd', label: 'Cost (USD)', fmt: fmtUsd },
  { key: 'text_total_tokens', label: 'Tokens', fmt: fmtInt },
];

// Roles that read workspace totals (core/authz.ts); others export their own (or their teams') rows.
const WORKSPACE_ROLES = ['owner', 'analytics_owner', 'analytics_viewer'];

interface Loaded {
  now: Row;
  before: Row;
  surfaces: Row[];
  clients: Row[];
  /** Totals per key of the chart's breakdown, biggest first. */
  keys: Row[];
  chart: Row[];
  at: number;
}

export function Overview({ session }: { session: Session }) {
  const [days, setDays] = useState<number>(30);
  const [groupBy, setGroupBy] = useState<'day' | 'week'>('day');
  const [by, setBy] = useState<Breakdown>('model');
  const [measure, setMeasure] = useState<Measure>('text_total_tokens');
  const [panels, setPanels] = useState<Pick<Loaded, 'now' | 'before' | 'surfaces' | 'clients' | 'at'> | null>(null);
  const [split, setSplit] = useState<Pick<Loaded, 'keys' | 'chart'> | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  const [fresh, setFresh] = useState<Freshness | null>(null);
  // Workspace-wide roles see each source's freshness (the others' figures are theirs or their teams').
  const wide = WORKSPACE_ROLES.includes(session.user.role);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  const w = windowOf(days);
  const q = (metrics: string[], dimensions: string[] = [], date_range = windowOf(days).range) =>
    query(session, { metrics, dimensions, date_range, limit: 10000 }).then((r) => r.data);
  // Two groups of queries, so that a change of grain or breakdown asks again only for the chart's
  // (the tiles and the surface and client panels do not depend on them).
  useEffect(() => {
    let live = true;
    const tiles = TILES.map((t) => t.key);
    Promise.all([
      q(tiles),
      q(tiles, [], windowOf(days, true).range),
      q(['active_users', 'threads', 'turns'], ['surface']),
      q(['active_users', 'threads', 'turns'], ['client']),
    ])
      .then(([now, before, surfaces, clients]) => {
        if (!live) return;
        setPanels({ now: now[0], before: before[0], surfaces, clients, at: Date.now() });
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [days, session.workspace_id, tick]);
  useEffect(() => {
    let live = true;
    if (wide)
      freshness(session)
        .then((f) => live && setFresh(f))
        .catch(() => live && setFresh(null));
    return () => {
      live = false;
    };
  }, [session.workspace_id, tick]);
  useEffect(() => {
    let live = true;
    const amounts = ['credits', 'text_total_tokens'];
    Promise.all([q(amounts, [by]), q(amounts, [`time:${groupBy}`, by])])
      .then(([keys, chart]) => {
        if (!live) return;
        setSplit({ keys, chart });
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [days, groupBy, by, session.workspace_id, tick]);
  const data: Loaded | null = panels && split ? { ...panels, ...split } : null;

  const newest = data && newestBucket(data.chart);
  const keys = data ? [...data.keys].sort((a, b) => Number(b[measure]) - Number(a[measure])) : [];
  const chart = data && series(data.chart, keys, bucketStarts(w.start, w.end, groupBy), by, measure);
  const personal = session.user.role === 'member';
  const keyName = (k: string) => (by === 'surface' ? (SURFACE_NAMES[k] ?? k) : k);

  return (
    <>
      <div class="toolbar">
        <h1>{personal ? 'Your usage' : 'Overview'}</h1>
        <RangeChoices days={days} onDays={setDays} grain={groupBy} onGrain={setGroupBy} />
        <ExportLink
          workspace={session.workspace_id}
          name={WORKSPACE_ROLES.includes(session.user.role) ? 'usage' : 'users'}
          start={w.start}
          end={w.end}
          groupBy={groupBy}
        />
        <p class="fresh" data-testid="freshness" aria-live="polite">
          {fresh ? (
            <FreshnessLine f={fresh} />
          ) : data ? (
            <>
              <span class={newest && newest >= windowOf(1).start ? 'dot live' : 'dot'} aria-hidden="true" />
              {newest ? `Latest activity ${fmtDay(newest)}` : 'No activity yet'} · read{' '}
              {new Date(data.at).toISOString().slice(11, 16)} UTC
            </>
          ) : (
            'Loading…'
          )}
        </p>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <section class="tiles" aria-label={`Totals for the last ${days} days, against the ${days} days before`}>
        {TILES.map((t) => {
          const value = data ? Number(data.now[t.key]) : null;
          const c = data ? change(Number(data.now[t.key]), Number(data.before[t.key])) : null;
          return (
            <div class="tile" key={t.key} data-testid={`tile-${t.key}`}>
              <span class="tile-label">{t.label}</span>
              <strong class="tile-value" data-value={value ?? ''}>
                {value === null ? '–' : t.fmt(value)}
              </strong>
              <span class={`delta ${c === null ? '' : c >= 0 ? 'up' : 'down'}`}>
                {c === null ? 'no earlier data' : `${fmtPct(c)} vs previous ${days} days`}
              </span>
            </div>
          );
        })}
      </section>
      <section class="panel" aria-labelledby="chart-title">
        <ChartHead
          titleId="chart-title"
          measure={measure}
          onMeasure={setMeasure}
          by={by}
          onBy={setBy}
          groupBy={groupBy}
        />
        {chart ? (
          <StackedChart
            data={{ ...chart, lines: chart.lines.map((l) => ({ ...l, key: keyName(l.key) })) }}
            label={`${measureName(measure)} by ${by}, stacked, ${groupBy === 'day' ? 'per day' : 'per week'}`}
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
        {chart && chart.lines.length > 0 && (
          <details>
            <summary>Show the numbers</summary>
            <table class="data" data-testid="chart-table">
              <thead>
                <tr>
                  <th scope="col">{by === 'model' ? 'Model' : 'Surface'}</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {chart.lines.map((l) => (
                  <tr key={l.key}>
                    <th scope="row">{keyName(l.key)}</th>
                    <td data-value={l.total}>{measure === 'credits' ? fmtDec(l.total) : fmtInt(l.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </section>
      <div class="pair">
        <section class="panel" aria-labelledby="surfaces-title">
          <h2 id="surfaces-title">Active users by surface</h2>
          {data && <Bars rows={data.surfaces} max={Number(data.now.active_users)} />}
        </section>
        <section class="panel" aria-labelledby="clients-title">
          <h2 id="clients-title">Threads and turns by client</h2>
          {data && (
            <table class="data" data-testid="clients-table">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Active users</th>
                  <th scope="col">Threads</th>
                  <th scope="col">Turns</th>
                </tr>
              </thead>
              <tbody>
                {[...data.clients]
                  .sort((a, b) => Number(b.turns) - Number(a.turns))
                  .map((r) => (
                    <tr key={String(r.client)}>
                      <th scope="row">{String(r.client)}</th>
                      <td>{fmtInt(Number(r.active_users))}</td>
                      <td>{fmtInt(Number(r.threads))}</td>
                      <td>{fmtInt(Number(r.turns))}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      {!personal && (
        <Ranking
          session={session}
          range={w.range}
          days={days}
          clients={panels ? panels.clients.map((r) => String(r.client)) : []}
          models={by === 'model' ? (split ? split.keys.map((r) => String(r.model)) : []) : null}
        />
      )}
    </>
  );
}

/** Horizontal bars, each labelled with its figure (the number is the content; the bar is decoration). */
function Bars({ rows, max }: { rows: Row[]; max: number }) {
  const sorted = [...rows].sort((a, b) => Number(b.active_users) - Number(a.active_users));
  if (!sorted.length) return <p class="empty">No activity in this range.</p>;
  return (
    <ul class="bars" data-testid="surface-bars">
      {sorted.map((r) => {
        const n = Number(r.active_users);
        return (
          <li key={String(r.surface)} data-surface={String(r.surface)}>
            <span class="bar-label">{SURFACE_NAMES[String(r.surface)] ?? String(r.surface)}</span>
            <span class="bar" aria-hidden="true">
              <span class="fill" style={{ width: `${max ? (100 * n) / max : 0}%` }} />
            </span>
            <span class="bar-value">{fmtInt(n)}</span>
          </li>
        );
      })}
    </ul>
  );
}

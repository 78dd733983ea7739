// The overview: tiles with the change against the previous period of the same length, a stacked
// chart by model or surface, the range and bucket controls, and how fresh the data is. A member's
// session gets only their own rows from the API, so the same page is their personal view.
import { useEffect, useState } from 'preact/hooks';
import { type Session, type UsageRow, usageRows } from './api.js';
import { StackedChart } from './chart.js';
import { ExportLink } from './components/export-link.js';
import { fmtDay, fmtDec, fmtInt, fmtPct, fmtUsd } from './format.js';
import {
  type Breakdown,
  bucketStarts,
  change,
  type Measure,
  newestBucket,
  series,
  type TileKey,
  tiles,
} from './overview-data.js';

const DAY = 86400;
const RANGES = [7, 30, 90] as const;
const TILES: { key: TileKey; label: string; fmt: (n: number) => string }[] = [
  { key: 'activeUsers', label: 'Active users', fmt: fmtInt },
  { key: 'threads', label: 'Threads', fmt: fmtInt },
  { key: 'turns', label: 'Turns', fmt: fmtInt },
  { key: 'credits', label: 'Credits', fmt: fmtDec },
  { key: 'usd', label: 'Cost (USD)', fmt: fmtUsd },
  { key: 'tokens', label: 'Tokens', fmt: fmtInt },
];

/** The window of the last `days` whole UTC days, today included: [start, end) in Unix seconds. */
// Roles that read workspace totals (core/authz.ts); others export their own (or their teams') rows.
const WORKSPACE_ROLES = ['owner', 'analytics_owner', 'analytics_viewer'];

function windowOf(days: number, now = Date.now() / 1000) {
  const end = (Math.floor(now / DAY) + 1) * DAY;
  return { start: end - days * DAY, end };
}

interface Loaded {
  current: UsageRow[];
  previous: UsageRow[];
  buckets: UsageRow[];
  at: number;
}

export function Overview({ session }: { session: Session }) {
  const [days, setDays] = useState<number>(30);
  const [groupBy, setGroupBy] = useState<'day' | 'week'>('day');
  const [by, setBy] = useState<Breakdown>('model');
  const [measure, setMeasure] = useState<Measure>('text_total_tokens');
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    let live = true;
    const w = windowOf(days);
    const ws = session.workspace_id;
    const before = { start: w.start - days * DAY, end: w.start, groupBy: 'day' as const };
    Promise.all([
      usageRows(ws, { ...w, groupBy: 'day' }),
      usageRows(ws, before),
      groupBy === 'day' ? null : usageRows(ws, { ...w, groupBy }),
    ])
      .then(([current, previous, weekly]) => {
        if (live) setData({ current, previous, buckets: weekly ?? current, at: Date.now() });
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [days, groupBy, session.workspace_id, tick]);

  const now = data && tiles(data.current);
  const prev = data && tiles(data.previous);
  const newest = data && newestBucket(data.current);
  const w = windowOf(days);
  const chart = data && series(data.buckets, bucketStarts(w.start, w.end, groupBy), by, measure);
  const personal = session.user.role === 'member';
  const measureName = measure === 'credits' ? 'Credits' : 'Tokens';

  return (
    <>
      <div class="toolbar">
        <h1>{personal ? 'Your usage' : 'Overview'}</h1>
        <Choice
          label="Range"
          value={String(days)}
          onChange={(v) => setDays(Number(v))}
          options={RANGES.map((d) => [String(d), `${d} days`])}
        />
        <Choice
          label="Buckets"
          value={groupBy}
          onChange={(v) => setGroupBy(v as 'day' | 'week')}
          options={[
            ['day', 'Daily'],
            ['week', 'Weekly'],
          ]}
        />
        <ExportLink
          workspace={session.workspace_id}
          name={WORKSPACE_ROLES.includes(session.user.role) ? 'usage' : 'users'}
          start={w.start}
          end={w.end}
          groupBy={groupBy}
        />
        <p class="fresh" data-testid="freshness" aria-live="polite">
          {data ? (
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
          const c = now && prev ? change(now[t.key], prev[t.key]) : null;
          return (
            <div class="tile" key={t.key} data-testid={`tile-${t.key}`}>
              <span class="tile-label">{t.label}</span>
              <strong class="tile-value" data-value={now ? now[t.key] : ''}>
                {now ? t.fmt(now[t.key]) : '–'}
              </strong>
              <span class={`delta ${c === null ? '' : c >= 0 ? 'up' : 'down'}`}>
                {c === null ? 'no earlier data' : `${fmtPct(c)} vs previous ${days} days`}
              </span>
            </div>
          );
        })}
      </section>
      <section class="panel" aria-labelledby="chart-title">
        <div class="panel-head">
          <h2 id="chart-title">
            {measureName} by {by} · {groupBy === 'day' ? 'daily' : 'weekly'} (UTC)
          </h2>
          <Choice
            label="Measure"
            value={measure}
            onChange={(v) => setMeasure(v as Measure)}
            options={[
              ['text_total_tokens', 'Tokens'],
              ['credits', 'Credits'],
            ]}
          />
          <Choice
            label="Split by"
            value={by}
            onChange={(v) => setBy(v as Breakdown)}
            options={[
              ['model', 'Model'],
              ['surface', 'Surface'],
            ]}
          />
        </div>
        {chart ? (
          <StackedChart
            data={chart}
            label={`${measureName} by ${by}, stacked, ${groupBy === 'day' ? 'per day' : 'per week'}`}
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
        {chart && chart.x.length > 0 && (
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
                    <th scope="row">{l.key}</th>
                    <td data-value={l.total}>{measure === 'credits' ? fmtDec(l.total) : fmtInt(l.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </section>
    </>
  );
}

/** A segmented control: radio buttons, so arrow keys move between options and labels are read out. */
function Choice(props: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <fieldset class="segmented">
      <legend>{props.label}</legend>
      {props.options.map(([v, text]) => (
        <label key={v} class={v === props.value ? 'on' : ''}>
          <input
            type="radio"
            name={props.label}
            value={v}
            checked={v === props.value}
            onChange={() => props.onChange(v)}
          />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

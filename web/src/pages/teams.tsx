// Teams side by side: active users, credits per active user, threads, turns and tokens per team
// over the range, with the privacy floor the API applies (small teams together as "other").
import { useEffect, useState } from 'preact/hooks';
import { type Column, DataTable } from '../components/data-table.js';
import { Choice } from '../components/choice.js';
import { RANGES } from '../components/range.js';
import { fmtCompact, fmtDec, fmtInt } from '../format.js';
import type { PageProps } from '../pages.js';
import { query } from '../api.js';
import { OTHER, TEAM_METRICS, type TeamLine, teamLines } from './teams-data.js';
import './people.css';

const MEASURES: { key: keyof TeamLine; label: string; fmt: (n: number) => string }[] = [
  { key: 'creditsPerActiveUser', label: 'Credits per active user', fmt: fmtDec },
  { key: 'activeUsers', label: 'Active users', fmt: fmtInt },
  { key: 'credits', label: 'Credits', fmt: fmtDec },
  { key: 'tokens', label: 'Tokens', fmt: fmtCompact },
];

export default function TeamsPage({ session }: PageProps) {
  const [days, setDays] = useState(30);
  const [measure, setMeasure] = useState<keyof TeamLine>('creditsPerActiveUser');
  const [lines, setLines] = useState<TeamLine[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setLines(null);
    // One query: the server counts each team's distinct active users and applies the floor.
    query(session, { metrics: TEAM_METRICS, dimensions: ['team'], date_range: `${days}d`, limit: 10000 })
      .then((r) => live && setLines(teamLines(r.data)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [days, session.workspace_id]);

  const m = MEASURES.find((x) => x.key === measure)!;
  const max = Math.max(1e-9, ...(lines ?? []).map((l) => Number(l[measure] ?? 0)));
  const columns: Column<TeamLine>[] = [
    { key: 'name', label: 'Team', value: (l) => l.name },
    { key: 'members', label: 'Members', numeric: true, value: (l) => l.members, render: (l) => fmtInt(l.members) },
    {
      key: 'activeUsers',
      label: 'Active users',
      numeric: true,
      value: (l) => l.activeUsers,
      render: (l) => fmtInt(l.activeUsers),
    },
    {
      key: 'creditsPerActiveUser',
      label: 'Credits / active user',
      numeric: true,
      value: (l) => l.creditsPerActiveUser,
      render: (l) => (l.creditsPerActiveUser === null ? '–' : fmtDec(l.creditsPerActiveUser)),
    },
    { key: 'threads', label: 'Threads', numeric: true, value: (l) => l.threads, render: (l) => fmtInt(l.threads) },
    { key: 'turns', label: 'Turns', numeric: true, value: (l) => l.turns, render: (l) => fmtInt(l.turns) },
    { key: 'credits', label: 'Credits', numeric: true, value: (l) => l.credits, render: (l) => fmtDec(l.credits) },
    { key: 'tokens', label: 'Tokens', numeric: true, value: (l) => l.tokens, render: (l) => fmtInt(l.tokens) },
  ];
  return (
    <>
      <div class="toolbar">
        <div class="title">
          <h1>Teams</h1>
          <p class="sub">Each team's members' usage; a person in two teams counts in both.</p>
        </div>
        <Choice
          label="Range"
          value={String(days)}
          onChange={(v) => setDays(Number(v))}
          options={RANGES.map((d) => [String(d), `${d} days`])}
        />
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <section class="panel" aria-labelledby="compare-title">
        <div class="panel-head">
          <h2 id="compare-title">Side by side · {m.label.toLowerCase()}</h2>
          <Choice
            label="Compare"
            value={measure}
            onChange={(v) => setMeasure(v as keyof TeamLine)}
            options={MEASURES.map((x) => [x.key, x.label])}
          />
        </div>
        {!lines ? (
          <p class="loading">Loading…</p>
        ) : lines.length === 0 ? (
          <p class="empty">No team had activity in this range. Teams are made on the Admin page.</p>
        ) : (
          <ul class="bars" aria-label={`${m.label} per team`}>
            {lines.map((l) => {
              const v = Number(l[measure] ?? 0);
              return (
                <li key={l.id} class={l.id === OTHER ? 'other' : ''}>
                  <span class="bar-label">{l.name}</span>
                  <span class="bar-track" aria-hidden="true">
                    <span class="bar-fill" style={{ width: `${(v / max) * 100}%` }} />
                  </span>
                  <span class="bar-value">{l[measure] === null ? '–' : m.fmt(v)}</span>
                </li>
              );
            })}
          </ul>
        )}
        {lines?.some((l) => l.id === OTHER) && (
          <p class="hint" data-testid="floor-note">
            Teams with fewer members than the privacy floor (analytics.min_team_size) are shown together as Other.
          </p>
        )}
      </section>
      <section class="panel" aria-labelledby="teams-table-title">
        <h2 id="teams-table-title">All teams · last {days} days</h2>
        {lines ? (
          <DataTable
            id="teams-table"
            caption="Teams"
            rows={lines}
            rowKey={(l) => l.id}
            columns={columns}
            sort={{ key: 'credits', desc: true }}
            empty="No team had activity in this range."
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </>
  );
}

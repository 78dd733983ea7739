// Seats and activation: who holds a key or signs in, who was never active, who went quiet for
// 14, 30 or 60 days, and how long people take to first use Codex after being added.
import { useEffect, useState } from 'preact/hooks';
import { type Column, DataTable } from '../components/data-table.js';
import { Choice } from '../components/choice.js';
import { Tile, Tiles } from '../components/tile.js';
import { fmtDay, fmtInt } from '../format.js';
import type { PageProps } from '../pages.js';
import { type Adoption, adoption, type Seat } from './people-api.js';
import { filterSeats, firstUseBuckets, funnel, type SeatFilter } from './adoption-data.js';
import './people.css';

const pctOf = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}% of seats` : '');
const yes = (b: boolean) => (b ? 'Yes' : 'No');

export default function AdoptionPage({ session }: PageProps) {
  const [data, setData] = useState<Adoption | null>(null);
  const [error, setError] = useState('');
  const [filter, setFilter] = useState<SeatFilter>('never');
  useEffect(() => {
    let live = true;
    adoption(session.workspace_id)
      .then((a) => live && setData(a))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [session.workspace_id]);

  const a = data;
  const columns: Column<Seat>[] = [
    {
      key: 'who',
      label: 'Person',
      value: (s) => s.email ?? s.user_id,
      render: (s) => <a href={`/users/${encodeURIComponent(s.user_id)}`}>{s.email ?? s.user_id}</a>,
    },
    { key: 'role', label: 'Role', value: (s) => s.role, render: (s) => s.role.replace('_', ' ') },
    { key: 'key', label: 'Key', value: (s) => yes(s.has_key) },
    { key: 'signin', label: 'Sign-in', value: (s) => yes(s.has_sign_in) },
    { key: 'added', label: 'Added', value: (s) => s.added_at, render: (s) => fmtDay(s.added_at) },
    {
      key: 'first',
      label: 'First active',
      value: (s) => s.first_active_at,
      render: (s) => (s.first_active_at === null ? 'never' : fmtDay(s.first_active_at)),
    },
    {
      key: 'last',
      label: 'Last active',
      value: (s) => s.last_active_at,
      render: (s) => (s.last_active_at === null ? '–' : fmtDay(s.last_active_at)),
    },
    {
      key: 'idle',
      label: 'Idle days',
      numeric: true,
      value: (s) => s.idle_days,
      render: (s) => (s.idle_days === null ? '–' : fmtInt(s.idle_days)),
    },
    {
      key: 'ttfu',
      label: 'Days to first use',
      numeric: true,
      value: (s) => s.days_to_first_use,
      render: (s) => (s.days_to_first_use === null ? '–' : fmtInt(s.days_to_first_use)),
    },
    { key: 'machines', label: 'Machines', numeric: true, value: (s) => s.machines },
    {
      key: 'turns',
      label: 'Turns (30 d)',
      numeric: true,
      value: (s) => s.turns_30d,
      render: (s) => fmtInt(s.turns_30d),
    },
  ];
  const steps = a ? funnel(a) : [];
  const ttfu = a ? firstUseBuckets(a.users) : [];
  const ttfuMax = Math.max(1, ...ttfu.map((b) => b.value));
  return (
    <>
      <div class="toolbar">
        <div class="title">
          <h1>Adoption</h1>
          <p class="sub">Seats, activation and who went quiet · as of {a ? fmtDay(a.as_of) : '…'} (UTC days)</p>
        </div>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <Tiles label="Seats and activation">
        <Tile
          id="seats"
          label="Seats"
          value={a ? fmtInt(a.seats) : '–'}
          raw={a?.seats}
          note="people, without service identities"
        />
        <Tile
          id="withKey"
          label="With a key"
          value={a ? fmtInt(a.with_key) : '–'}
          raw={a?.with_key}
          note={a && pctOf(a.with_key, a.seats)}
        />
        <Tile
          id="withSignIn"
          label="Can sign in"
          value={a ? fmtInt(a.with_sign_in) : '–'}
          raw={a?.with_sign_in}
          note={a && pctOf(a.with_sign_in, a.seats)}
        />
        <Tile
          id="activated"
          label="Ever active"
          value={a ? fmtInt(a.activated) : '–'}
          raw={a?.activated}
          note={a && pctOf(a.activated, a.seats)}
        />
        <Tile
          id="neverActive"
          label="Never active"
          value={a ? fmtInt(a.never_active) : '–'}
          raw={a?.never_active}
          note="a key or sign-in, no usage yet"
        />
        <Tile
          id="ttfu"
          label="Median first use"
          value={a ? (a.median_days_to_first_use === null ? '–' : `${fmtInt(a.median_days_to_first_use)} d`) : '–'}
          raw={a?.median_days_to_first_use}
          note="from being added to first active day"
        />
      </Tiles>
      <div class="two">
        <section class="panel" aria-labelledby="funnel-title">
          <h2 id="funnel-title">Activation</h2>
          <ul class="bars" aria-label="Activation funnel">
            {steps.map((s) => (
              <li key={s.label}>
                <span class="bar-label">{s.label}</span>
                <span class="bar-track" aria-hidden="true">
                  <span class="bar-fill" style={{ width: `${a && a.seats ? (s.value / a.seats) * 100 : 0}%` }} />
                </span>
                <span class="bar-value">{fmtInt(s.value)}</span>
              </li>
            ))}
          </ul>
          <h3>Inactive</h3>
          <dl class="inactive" data-testid="inactive">
            {(['14', '30', '60'] as const).map((d) => (
              <div key={d} data-testid={`inactive-${d}`}>
                <dt>{d}+ days</dt>
                <dd data-value={a?.inactive[d] ?? ''}>{a ? fmtInt(a.inactive[d]) : '–'}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section class="panel" aria-labelledby="ttfu-title">
          <h2 id="ttfu-title">Time to first use</h2>
          <ul class="bars" aria-label="People by days from being added to first use">
            {ttfu.map((b) => (
              <li key={b.label}>
                <span class="bar-label">{b.label}</span>
                <span class="bar-track" aria-hidden="true">
                  <span class="bar-fill alt" style={{ width: `${(b.value / ttfuMax) * 100}%` }} />
                </span>
                <span class="bar-value">{fmtInt(b.value)}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section class="panel" aria-labelledby="people-title">
        <div class="panel-head">
          <h2 id="people-title">People</h2>
          <Choice
            label="Show"
            value={filter}
            onChange={(v) => setFilter(v as SeatFilter)}
            options={[
              ['never', 'Never active'],
              ['idle14', 'Idle 14+ d'],
              ['idle30', '30+ d'],
              ['idle60', '60+ d'],
              ['all', 'Everyone'],
            ]}
          />
        </div>
        {a ? (
          <DataTable
            id="seats-table"
            caption="People"
            rows={filterSeats(a.users, filter)}
            rowKey={(s) => s.user_id}
            columns={columns}
            sort={{ key: 'idle', desc: true }}
            search={(s) => `${s.email ?? ''} ${s.user_id} ${s.role}`}
            empty="Nobody in this group."
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </>
  );
}

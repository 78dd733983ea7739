// Seats and activation: who holds a key or signs in, who was never active, who went quiet for
// 14, 30 or 60 days, and how long people take to first use Codex after being added.
import { useEffect, useState } from 'preact/hooks';
import type { Column } from '../components/virtual-table.js';
import { Choice } from '../components/choice.js';
import { FindBox } from '../components/find-box.js';
import { PagedTable } from '../components/paged-table.js';
import { Tile, Tiles } from '../components/tile.js';
import { fmtDay, fmtInt } from '../format.js';
import type { PageProps } from '../pages.js';
import { type Adoption, adoption, type Seat, type SeatPage, type SeatState, seats } from './people-api.js';
import { firstUseBuckets, funnel, SEAT_FILTERS } from './adoption-data.js';
import './people.css';

const pctOf = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}% of seats` : '');
const yes = (b: boolean) => (b ? 'Yes' : 'No');

const PAGE = 500;
const day = (t: number | null, none: string) => (t === null ? none : fmtDay(t));
const count = (n: number | null) => (n === null ? '–' : fmtInt(n));
const COLUMNS: Column<Seat>[] = [
  {
    id: 'email',
    header: 'Person',
    cell: (s) => <a href={`/users/${encodeURIComponent(s.user_id)}`}>{s.email ?? s.user_id}</a>,
  },
  { id: 'role', header: 'Role', cell: (s) => s.role.replace('_', ' '), sortable: false },
  { id: 'key', header: 'Key', cell: (s) => yes(s.has_key), sortable: false },
  { id: 'signin', header: 'Sign-in', cell: (s) => yes(s.has_sign_in), sortable: false },
  { id: 'added_at', header: 'Added', cell: (s) => fmtDay(s.added_at) },
  { id: 'first_active_at', header: 'First active', cell: (s) => day(s.first_active_at, 'never') },
  { id: 'last_active_at', header: 'Last active', cell: (s) => day(s.last_active_at, '–') },
  { id: 'idle_days', header: 'Idle days', numeric: true, cell: (s) => count(s.idle_days) },
  { id: 'days_to_first_use', header: 'Days to first use', numeric: true, cell: (s) => count(s.days_to_first_use) },
  // Read for the page's people only, so the server cannot sort every seat by them.
  { id: 'machines', header: 'Machines', numeric: true, cell: (s) => fmtInt(s.machines), sortable: false },
  { id: 'turns', header: 'Turns (30 d)', numeric: true, cell: (s) => fmtInt(s.turns_30d), sortable: false },
];

export default function AdoptionPage({ session }: PageProps) {
  const [data, setData] = useState<Adoption | null>(null);
  const [error, setError] = useState('');
  const [state, setState] = useState<SeatState>('never_active');
  const [sort, setSort] = useState({ id: 'idle_days', desc: true });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<SeatPage | null>(null);
  const [search, setSearch] = useState('');
  useEffect(() => {
    let live = true;
    adoption(session.workspace_id)
      .then((a) => live && setData(a))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [session.workspace_id]);
  // The table: one page of the chosen seats, sorted and paged by the server.
  useEffect(() => {
    let live = true;
    seats(session.workspace_id, { state, sort: sort.id, desc: sort.desc, offset, limit: PAGE, search })
      .then((p) => live && setPage(p))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [session.workspace_id, state, sort.id, sort.desc, offset, search]);

  const a = data;
  const steps = a ? funnel(a) : [];
  const ttfu = a ? firstUseBuckets(a) : [];
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
            value={state}
            onChange={(v) => {
              setOffset(0);
              setState(v as SeatState);
            }}
            options={SEAT_FILTERS}
          />
          <FindBox
            placeholder="email or user id"
            testId="seat-search"
            onFind={(text) => {
              setOffset(0);
              setSearch(text);
            }}
          />
        </div>
        <PagedTable
          label="People"
          columns={COLUMNS}
          page={page}
          offset={offset}
          pageSize={PAGE}
          onOffset={setOffset}
          sort={sort}
          onSort={setSort}
          rowHeader="email"
          rowKey={(s) => s.user_id}
          empty={search ? `Nobody in this group matches “${search}”.` : 'Nobody in this group.'}
          testId="seats-table"
          countTestId="seats-count"
        />
      </section>
    </>
  );
}

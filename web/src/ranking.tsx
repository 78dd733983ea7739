// The users ranking: credits, threads, turns, text tokens and current streak per person over the
// overview's window, filtered by client, team or model, sorted and paged by the server (one query
// per view), rows virtualised. A team lead sees their teams' people; the server narrows it.
import { useEffect, useState } from 'preact/hooks';
import { query, type Row, type Session } from './api.js';
import { Select } from './components/choice.js';
import { RANGES, windowOf } from './components/range.js';
import { type Page, PagedTable } from './components/paged-table.js';
import type { Column } from './components/virtual-table.js';
import { fmtDec, fmtInt } from './format.js';

const PAGE = 500;
const LONGEST = Math.max(...RANGES);

const COLUMNS: Column<Row>[] = [
  { id: 'rank', header: '#', cell: (_r, i) => String(i + 1), numeric: true, sortable: false },
  // Users sort by id on the server, which would look random beside their emails: not offered.
  { id: 'user', header: 'User', cell: (r) => String(r.email ?? r.user_id), sortable: false },
  { id: 'credits', header: 'Credits', cell: (r) => fmtDec(Number(r.credits)), numeric: true },
  {
    id: 'threads',
    header: 'Threads',
    cell: (r) => (r.threads == null ? '–' : fmtInt(Number(r.threads))),
    numeric: true,
  },
  { id: 'turns', header: 'Turns', cell: (r) => fmtInt(Number(r.turns)), numeric: true },
  { id: 'text_total_tokens', header: 'Text tokens', cell: (r) => fmtInt(Number(r.text_total_tokens)), numeric: true },
  {
    id: 'current_streak',
    header: 'Current streak (days)',
    cell: (r) => fmtInt(Number(r.current_streak)),
    numeric: true,
  },
];

/**
 * The clients and models to filter by come from the overview's own panels when it has them (its
 * threads-by-client rows, and its chart's keys when they are by model: the same rollup rows, so the
 * same clients and models), which saves the server two queries per view; `models` null: ask here.
 */
export function Ranking({
  session,
  range,
  days,
  clients,
  models,
}: {
  session: Session;
  range: [string, string];
  days: number;
  clients: string[];
  models: string[] | null;
}) {
  const [sort, setSort] = useState({ id: 'credits', desc: true });
  const [filter, setFilter] = useState({ client: '', model: '', team: '' });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<Row> | null>(null);
  const [teams, setTeams] = useState<[string, string][]>([]);
  const [ownModels, setOwnModels] = useState<string[]>([]);
  const [error, setError] = useState('');

  // The teams to filter by: those with anyone active in the longest range the dashboard offers, asked
  // once, not per range (teams do not come and go with the window; a team chosen over 90 days stays
  // offered over 7, where it may have nobody). The models, when the overview has none, per window.
  useEffect(() => {
    let live = true;
    query(session, {
      metrics: ['active_users'],
      dimensions: ['team'],
      date_range: windowOf(LONGEST).range,
      limit: 1000,
    })
      .then(
        (t) =>
          live &&
          setTeams(t.data.filter((r) => r.team_id !== 'other').map((r) => [String(r.team_id), String(r.team_name)])),
      )
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [session.workspace_id]);
  useEffect(() => {
    let live = true;
    if (models === null)
      query(session, { metrics: ['turns'], dimensions: ['model'], date_range: range, limit: 1000 })
        .then((m) => live && setOwnModels(m.data.map((r) => String(r.model))))
        .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [range[0], range[1], session.workspace_id, models === null]);

  useEffect(() => {
    let live = true;
    // Threads are counted per client, not per model (the rollups), so a model filter leaves them out.
    const metrics = ['credits', 'turns', 'text_total_tokens', 'current_streak', ...(filter.model ? [] : ['threads'])];
    const by = metrics.includes(sort.id) ? sort.id : 'credits';
    query(session, {
      metrics,
      dimensions: ['user'],
      filters: {
        ...(filter.client ? { client: [filter.client] } : {}),
        ...(filter.model ? { model: [filter.model] } : {}),
        ...(filter.team ? { team_id: filter.team } : {}),
      },
      date_range: range,
      order_by: [[by, sort.desc ? 'desc' : 'asc']],
      limit: PAGE,
      offset,
      include: { total_rows: true },
    })
      .then((r) => {
        if (!live) return;
        setPage({ data: r.data, total: r.meta.total_rows ?? r.data.length, has_more: r.meta.has_more });
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [sort.id, sort.desc, filter.client, filter.model, filter.team, offset, range[0], range[1], session.workspace_id]);

  const set = (k: keyof typeof filter) => (v: string) => {
    setOffset(0);
    // One rollup per query holds clients or models, not both: choosing one clears the other.
    setFilter((f) => ({
      ...f,
      [k]: v,
      ...(k === 'client' && v ? { model: '' } : k === 'model' && v ? { client: '' } : {}),
    }));
  };
  return (
    <section class="panel" aria-labelledby="ranking-title">
      <div class="panel-head">
        <h2 id="ranking-title">Users · last {days} days</h2>
        <Select label="Client" value={filter.client} onChange={set('client')} options={clients.map((c) => [c, c])} />
        <Select
          label="Model"
          value={filter.model}
          onChange={set('model')}
          options={(models ?? ownModels).map((m) => [m, m])}
        />
        <Select label="Team" value={filter.team} onChange={set('team')} options={teams} />
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <PagedTable
        label={`Users ranked by ${COLUMNS.find((c) => c.id === sort.id)?.header ?? sort.id}`}
        columns={COLUMNS}
        page={page}
        offset={offset}
        pageSize={PAGE}
        onOffset={setOffset}
        sort={sort}
        onSort={setSort}
        rowHeader="user"
        empty={
          filter.client || filter.model || filter.team
            ? 'Nobody was active in this window with these filters.'
            : 'Nobody was active in this window.'
        }
        testId="ranking"
        countTestId="ranking-count"
      />
    </section>
  );
}

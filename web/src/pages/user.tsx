// One person's page: their trend (stacked by model or surface), clients, models and threads; for
// roles that may read the archive (owner, security owner), each thread opens onto its compliance
// records. A member reaches only their own (the router sends them there; the API refuses the rest).
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { StackedChart } from '../chart.js';
import { ChartHead, measureName } from '../components/chart-head.js';
import { DataTable } from '../components/data-table.js';
import { Tile, Tiles } from '../components/tile.js';
import { bucketStarts, windowOf } from '../components/range.js';
import { RangeChoices } from '../components/range-bar.js';
import { fmtDay, fmtDec, fmtInt, fmtUsd } from '../format.js';
import type { Breakdown, Measure } from '../overview-data.js';
import type { PageProps } from '../pages.js';
import {
  type ComplianceRecord,
  type ThreadRow,
  threadRecords,
  type UserRow,
  userThreads,
  userUsage,
} from './people-api.js';
import { breakdown, type Part, recordSummary, userSeries, userTotals } from './user-data.js';
import './people.css';

const ARCHIVE_ROLES = ['owner', 'security_owner'];

export default function UserPage({ session, params }: PageProps) {
  const userId = params.user_id;
  const self = userId === session.user.id;
  const [days, setDays] = useState(30);
  const [groupBy, setGroupBy] = useState<'day' | 'week'>('day');
  const [by, setBy] = useState<Breakdown>('model');
  const [measure, setMeasure] = useState<Measure>('text_total_tokens');
  const [rows, setRows] = useState<{ day: UserRow[]; buckets: UserRow[] } | null>(null);
  const [threads, setThreads] = useState<{ data: ThreadRow[]; next: string | null } | null>(null);
  const [error, setError] = useState('');
  const w = windowOf(days);

  useEffect(() => {
    let live = true;
    setRows(null);
    setThreads(null);
    const ws = session.workspace_id;
    Promise.all([
      userUsage(ws, { ...w, groupBy: 'day' }, userId),
      groupBy === 'day' ? null : userUsage(ws, { ...w, groupBy }, userId),
      userThreads(ws, userId, w),
    ])
      .then(([day, weekly, t]) => {
        if (!live) return;
        setRows({ day, buckets: weekly ?? day });
        setThreads({ data: t.data, next: t.has_more ? t.next_page : null });
        setError('');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [userId, days, groupBy, session.workspace_id]);

  const more = async () => {
    if (!threads?.next) return;
    const t = await userThreads(session.workspace_id, userId, w, threads.next);
    setThreads({ data: [...threads.data, ...t.data], next: t.has_more ? t.next_page : null });
  };

  const totals = rows && userTotals(rows.day);
  const chart = rows && userSeries(rows.buckets, bucketStarts(w.start, w.end, groupBy), by, measure);
  const parts = rows && breakdown(rows.day);
  const email = self ? session.user.email : (rows?.day.find((r) => r.email)?.email ?? null);

  return (
    <>
      <div class="toolbar">
        <div class="title">
          <h1>{self ? 'Your usage' : (email ?? 'A user')}</h1>
          <p class="sub" data-testid="user-id">
            {self ? session.user.email : email ? `User ${userId}` : userId}
          </p>
        </div>
        <RangeChoices days={days} onDays={setDays} grain={groupBy} onGrain={setGroupBy} />
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <Tiles label={`Totals for the last ${days} days`}>
        <Tile id="threads" label="Threads" value={totals ? fmtInt(totals.threads) : '–'} raw={totals?.threads} />
        <Tile id="turns" label="Turns" value={totals ? fmtInt(totals.turns) : '–'} raw={totals?.turns} />
        <Tile id="credits" label="Credits" value={totals ? fmtDec(totals.credits) : '–'} raw={totals?.credits} />
        <Tile id="usd" label="Cost (USD)" value={totals ? fmtUsd(totals.usd) : '–'} raw={totals?.usd} />
        <Tile id="tokens" label="Tokens" value={totals ? fmtInt(totals.tokens) : '–'} raw={totals?.tokens} />
        <Tile
          id="activeDays"
          label="Active days"
          value={totals ? fmtInt(totals.activeDays) : '–'}
          raw={totals?.activeDays}
          note={totals ? `current streak ${totals.streak} ${totals.streak === 1 ? 'day' : 'days'}` : undefined}
        />
      </Tiles>
      <section class="panel" aria-labelledby="trend-title">
        <ChartHead
          titleId="trend-title"
          measure={measure}
          onMeasure={setMeasure}
          by={by}
          onBy={setBy}
          groupBy={groupBy}
        />
        {chart ? (
          <StackedChart data={chart} label={`${measureName(measure)} by ${by}, stacked, per ${groupBy}`} />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
      <div class="two">
        <PartTable id="clients-table" title="Clients" rows={parts?.clients} withThreads />
        <PartTable id="models-table" title="Models" rows={parts?.models} />
      </div>
      <section class="panel" aria-labelledby="threads-title">
        <div class="panel-head">
          <h2 id="threads-title">Threads</h2>
          <span class="hint">newest first · started in the last {days} days</span>
        </div>
        {threads ? (
          <Threads
            rows={threads.data}
            archive={ARCHIVE_ROLES.includes(session.user.role)}
            workspace={session.workspace_id}
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
        {threads?.next && (
          <button type="button" class="ghost" onClick={more}>
            Show more threads
          </button>
        )}
      </section>
    </>
  );
}

function PartTable(props: { id: string; title: string; rows: Part[] | null | undefined; withThreads?: boolean }) {
  return (
    <section class="panel" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {!props.rows ? (
        <p class="loading">Loading…</p>
      ) : (
        <DataTable
          id={props.id}
          caption={props.title}
          rows={props.rows}
          rowKey={(r) => r.key}
          sort={{ key: 'tokens', desc: true }}
          empty="No activity in this range."
          columns={[
            { key: 'key', label: props.withThreads ? 'Client' : 'Model', value: (r) => r.key },
            ...(props.withThreads
              ? [
                  {
                    key: 'threads',
                    label: 'Threads',
                    numeric: true,
                    value: (r: Part) => r.threads,
                    render: (r: Part) => fmtInt(r.threads),
                  },
                ]
              : []),
            { key: 'turns', label: 'Turns', numeric: true, value: (r) => r.turns, render: (r) => fmtInt(r.turns) },
            {
              key: 'credits',
              label: 'Credits',
              numeric: true,
              value: (r) => r.credits,
              render: (r) => fmtDec(r.credits),
            },
            { key: 'tokens', label: 'Tokens', numeric: true, value: (r) => r.tokens, render: (r) => fmtInt(r.tokens) },
          ]}
        />
      )}
    </section>
  );
}

function Threads(props: { rows: ThreadRow[]; archive: boolean; workspace: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [records, setRecords] = useState<ComplianceRecord[] | string | null>(null);
  const toggle = async (id: string) => {
    if (open === id) return setOpen(null);
    setOpen(id);
    setRecords(null);
    try {
      setRecords((await threadRecords(props.workspace, id)).data);
    } catch (e) {
      setRecords((e as Error).message);
    }
  };
  if (props.rows.length === 0) return <p class="empty">No threads started in this range.</p>;
  const cols = props.archive ? 8 : 7;
  return (
    <table class="data wide" data-testid="threads-table">
      <caption class="sr-only">Threads</caption>
      <thead>
        <tr>
          <th scope="col">Started (UTC)</th>
          <th scope="col">Client</th>
          <th scope="col">Model</th>
          <th scope="col">Machine</th>
          <th scope="col" class="num">
            Turns
          </th>
          <th scope="col" class="num">
            Credits
          </th>
          <th scope="col" class="num">
            Tokens
          </th>
          {props.archive && <th scope="col">Archive</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((t) => (
          <Fragment key={t.thread_id}>
            <tr data-key={t.thread_id}>
              <td title={t.thread_id}>
                {fmtDay(t.started_at)} {new Date(t.started_at * 1000).toISOString().slice(11, 16)}
              </td>
              <td>{t.client_id}</td>
              <td>{t.model ?? '–'}</td>
              <td>{t.host_name ?? '–'}</td>
              <td class="num">{fmtInt(t.turns)}</td>
              <td class="num">{fmtDec(t.credits)}</td>
              <td class="num">{fmtInt(t.text_total_tokens)}</td>
              {props.archive && (
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-expanded={open === t.thread_id}
                    onClick={() => toggle(t.thread_id)}
                  >
                    {open === t.thread_id ? 'Hide records' : 'Records'}
                  </button>
                </td>
              )}
            </tr>
            {open === t.thread_id && (
              <tr class="drill">
                <td colSpan={cols}>
                  <Records records={records} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

function Records({ records }: { records: ComplianceRecord[] | string | null }) {
  if (records === null) return <p class="loading">Loading the archive…</p>;
  if (typeof records === 'string')
    return (
      <p role="alert" class="error">
        {records}
      </p>
    );
  if (records.length === 0) return <p class="empty">The archive holds no records of this thread.</p>;
  return (
    <ol class="records" data-testid="thread-records" aria-label="Compliance records of the thread">
      {records.map((r) => {
        const s = recordSummary(r.event_type, r.content ?? {});
        return (
          <li key={r.id}>
            <time>{r.timestamp.replace('T', ' ').slice(0, 19)}</time>
            <span class="badge">{s.kind}</span>
            <span class="summary">{s.text || <span class="hint">no text kept</span>}</span>
          </li>
        );
      })}
    </ol>
  );
}

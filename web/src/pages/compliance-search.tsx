// Compliance search (the Compliance API's search): text, person, thread, event type and time range;
// newest first, 50 a page; a record opens in full beside the list (its content, its place in the
// chain), with a step to its thread's records and a hold on that thread.
import { useState } from 'preact/hooks';
import type { Session } from '../api.js';
import { fmtDay } from '../format.js';
import { type ComplianceRecord, EVENT_TYPES, kindOf, search, type SearchQuery, summaryOf } from './compliance-data.js';

const toIso = (d: string, endOfDay = false) => (d ? `${d}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : '');

export function ComplianceSearch({ session, onHoldThread }: { session: Session; onHoldThread: (t: string) => void }) {
  const [form, setForm] = useState({ q: '', user: '', thread_id: '', event_type: '', from: '', to: '' });
  const [results, setResults] = useState<{ rows: ComplianceRecord[]; next: string | null; query: SearchQuery } | null>(
    null,
  );
  const [open, setOpen] = useState<ComplianceRecord | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (query: SearchQuery, more = false) => {
    setBusy(true);
    setError('');
    try {
      const page = await search(session.workspace_id, query);
      setResults((prev) => ({
        rows: more && prev ? [...prev.rows, ...page.data] : page.data,
        next: page.has_more ? page.next_cursor : null,
        query,
      }));
      if (!more) setOpen(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void run({
      q: form.q.trim(),
      user: form.user.trim(),
      thread_id: form.thread_id.trim(),
      event_type: form.event_type,
      start_time: toIso(form.from),
      end_time: toIso(form.to, true),
    });
  };
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }),
  });
  const thread = (t: string) => {
    setForm({ q: '', user: '', thread_id: t, event_type: '', from: '', to: '' });
    void run({ thread_id: t });
  };
  return (
    <section class="panel" aria-labelledby="search-title">
      <h2 id="search-title">Search the archive</h2>
      <form class="search-form" onSubmit={submit} role="search">
        <label class="wide-field">
          Text in the record
          <input type="search" {...field('q')} placeholder="e.g. a word from a prompt" />
        </label>
        <label>
          Person (email or id)
          <input {...field('user')} autoComplete="off" />
        </label>
        <label>
          Thread id
          <input {...field('thread_id')} autoComplete="off" />
        </label>
        <label>
          Event type
          <select {...field('event_type')}>
            <option value="">Any</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input type="date" {...field('from')} />
        </label>
        <label>
          To (UTC)
          <input type="date" {...field('to')} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {results && (
        <div class={open ? 'split' : ''}>
          <div>
            <p class="hint" aria-live="polite" data-testid="result-count">
              {results.rows.length === 0
                ? 'No records match.'
                : `${results.rows.length}${results.next ? '+' : ''} records, newest first`}
            </p>
            {results.rows.length > 0 && (
              <ul class="records" data-testid="results">
                {results.rows.map((r) => (
                  <li key={r.id}>
                    <button
                      type="button"
                      class={`record${open?.id === r.id ? ' on' : ''}`}
                      aria-expanded={open?.id === r.id}
                      onClick={() => setOpen(r)}
                    >
                      <span class="record-meta">
                        <span class={`tag ${r.event_type}`}>{r.event_type}</span> {kindOf(r)} ·{' '}
                        {r.timestamp.replace('T', ' ').slice(0, 19)} UTC
                      </span>
                      <span class="record-text">{summaryOf(r)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {results.next && (
              <button
                type="button"
                class="ghost"
                disabled={busy}
                onClick={() => run({ ...results.query, after: results.next! }, true)}
              >
                More
              </button>
            )}
          </div>
          {open && (
            <RecordView record={open} onClose={() => setOpen(null)} onThread={thread} onHoldThread={onHoldThread} />
          )}
        </div>
      )}
    </section>
  );
}

function RecordView(props: {
  record: ComplianceRecord;
  onClose: () => void;
  onThread: (t: string) => void;
  onHoldThread: (t: string) => void;
}) {
  const r = props.record;
  return (
    <article class="record-view" aria-label="Record" data-testid="record-view">
      <div class="panel-head">
        <h3>
          {r.event_type} · {kindOf(r)}
        </h3>
        <button type="button" class="ghost" onClick={props.onClose}>
          Close
        </button>
      </div>
      <dl class="facts">
        <dt>Time</dt>
        <dd>
          {r.timestamp} ({fmtDay(r.ts / 1000)})
        </dd>
        <dt>Person</dt>
        <dd>{r.user_id ?? '–'}</dd>
        <dt>Thread</dt>
        <dd>{r.thread_id ?? '–'}</dd>
        <dt>Record</dt>
        <dd>
          <code>{r.id}</code> · seq {r.seq}
        </dd>
        <dt>Hash</dt>
        <dd>
          <code class="hash">{r.hash}</code>
        </dd>
        <dt>Previous</dt>
        <dd>
          <code class="hash">{r.prev_hash}</code>
        </dd>
      </dl>
      <pre class="content" data-testid="record-content" tabIndex={0}>
        {r.content === null ? '(content removed by retention)' : JSON.stringify(r.content, null, 2)}
      </pre>
      {r.thread_id && (
        <div class="actions">
          <button type="button" class="ghost" onClick={() => props.onThread(r.thread_id!)}>
            All records of this thread
          </button>
          <button type="button" class="ghost" onClick={() => props.onHoldThread(r.thread_id!)}>
            Hold this thread
          </button>
        </div>
      )}
    </article>
  );
}

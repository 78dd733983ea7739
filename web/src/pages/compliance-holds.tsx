// Legal holds: the list (active first), a form to place one (a person and/or a thread, an optional
// window, a reason), and release. Placing and releasing are audited by the server.
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../api.js';
import { type Hold, holds, placeHold, releaseHold } from './compliance-data.js';

export function ComplianceHolds({ session, thread }: { session: Session; thread: string }) {
  const ws = session.workspace_id;
  const [list, setList] = useState<Hold[] | null>(null);
  const [form, setForm] = useState({ user: '', thread_id: thread, reason: '', from: '', to: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const reload = () =>
    holds(ws)
      .then(setList)
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    void reload();
  }, [ws]);
  useEffect(() => setForm((f) => ({ ...f, thread_id: thread })), [thread]);
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await f();
      await reload();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, string> = {};
    if (form.user.trim()) body.user = form.user.trim();
    if (form.thread_id.trim()) body.thread_id = form.thread_id.trim();
    if (form.reason.trim()) body.reason = form.reason.trim();
    if (form.from) body.start_time = `${form.from}T00:00:00Z`;
    if (form.to) body.end_time = `${form.to}T23:59:59Z`;
    if (await act(() => placeHold(ws, session.csrf_token, body)))
      setForm({ user: '', thread_id: '', reason: '', from: '', to: '' });
  };
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }),
  });
  const sorted = [...(list ?? [])].sort(
    (a, b) => Number(b.active) - Number(a.active) || b.created_at.localeCompare(a.created_at),
  );
  return (
    <section class="panel" aria-labelledby="holds-title">
      <h2 id="holds-title">Legal holds</h2>
      <p class="hint">Records a hold covers are kept past their retention until it is released.</p>
      <form class="search-form" onSubmit={submit} aria-label="Place a hold">
        <label>
          Person (email or id)
          <input {...field('user')} autoComplete="off" />
        </label>
        <label>
          Thread id
          <input {...field('thread_id')} autoComplete="off" />
        </label>
        <label>
          From (UTC)
          <input type="date" {...field('from')} />
        </label>
        <label>
          To (UTC)
          <input type="date" {...field('to')} />
        </label>
        <label class="wide-field">
          Reason
          <input {...field('reason')} placeholder="e.g. the matter or ticket" />
        </label>
        <button type="submit" disabled={busy || (!form.user.trim() && !form.thread_id.trim())}>
          Place hold
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {list === null ? (
        <p class="loading">Loading…</p>
      ) : sorted.length === 0 ? (
        <p class="empty">No holds.</p>
      ) : (
        <div class="table-wrap">
          <table class="data wide all-text" data-testid="holds">
            <caption class="sr-only">Legal holds</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Person</th>
                <th scope="col">Thread</th>
                <th scope="col">Window</th>
                <th scope="col">Reason</th>
                <th scope="col">Placed</th>
                <th scope="col">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((h) => (
                <tr key={h.id} data-key={h.id} data-active={String(h.active)}>
                  <th scope="row">
                    <span class={`tag ${h.active ? 'active' : 'released'}`}>{h.active ? 'Active' : 'Released'}</span>
                  </th>
                  <td>{h.user_id ?? 'anyone'}</td>
                  <td>{h.thread_id ?? 'any'}</td>
                  <td>
                    {h.start_time || h.end_time
                      ? `${(h.start_time ?? '').slice(0, 10) || 'the start'} – ${(h.end_time ?? '').slice(0, 10) || 'now'}`
                      : 'all time'}
                  </td>
                  <td>{h.reason ?? ''}</td>
                  <td>{h.created_at.slice(0, 16).replace('T', ' ')}</td>
                  <td>
                    {h.active && (
                      <button
                        type="button"
                        class="ghost"
                        disabled={busy}
                        onClick={() => act(() => releaseHold(ws, session.csrf_token, h.id))}
                        aria-label={`Release the hold on ${h.thread_id ?? h.user_id}`}
                      >
                        Release
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// Export, chain verification and SIEM sink health. Log files download straight from the Compliance
// API with the session (a GET: the browser saves the stream; the server audits the download).
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../api.js';
import { fmtInt } from '../format.js';
import { EVENT_TYPES, type LogFile, logFiles, type Sink, sinks, type Verification, verify } from './compliance-data.js';

export function ComplianceExport({ session }: { session: Session }) {
  const [type, setType] = useState<string>('CODEX_LOG');
  const [files, setFiles] = useState<LogFile[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setFiles(null);
    logFiles(session.workspace_id, type)
      .then((r) => setFiles(r.data))
      .catch((e: Error) => setError(e.message));
  }, [type, session.workspace_id]);
  const newest = [...(files ?? [])].reverse().slice(0, 50);
  return (
    <section class="panel" aria-labelledby="export-title">
      <div class="panel-head">
        <h2 id="export-title">Export</h2>
        <label class="inline">
          Event type{' '}
          <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {EVENT_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      <p class="hint">JSON Lines, one record a line, each with its hash and its predecessor's: verifiable offline.</p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {files === null ? (
        <p class="loading">Loading…</p>
      ) : newest.length === 0 ? (
        <p class="empty">No {type} records yet.</p>
      ) : (
        <ul class="files" data-testid="log-files">
          {newest.map((f) => (
            <li key={f.id}>
              <span>
                {f.start_time.replace('T', ' ').slice(0, 16)} – {f.end_time.replace('T', ' ').slice(0, 16)} UTC
              </span>
              <a href={f.url} download={`${f.event_type}-${f.start_time.slice(0, 16).replace(/:/g, '')}.jsonl`}>
                Download
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ComplianceIntegrity({ session }: { session: Session }) {
  const [result, setResult] = useState<Verification | null>(null);
  const [running, setRunning] = useState(false);
  const [list, setList] = useState<Sink[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    sinks(session.workspace_id)
      .then(setList)
      .catch((e: Error) => setError(e.message));
  }, [session.workspace_id]);
  const run = async () => {
    setRunning(true);
    setError('');
    try {
      setResult(await verify(session.workspace_id));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <section class="panel" aria-labelledby="verify-title">
        <div class="panel-head">
          <h2 id="verify-title">Chain integrity</h2>
          <button type="button" onClick={run} disabled={running}>
            {running ? 'Verifying…' : 'Verify now'}
          </button>
        </div>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div aria-live="polite" data-testid="verify">
          {result ? (
            <p class={result.ok ? 'status ok' : 'status bad'}>
              <strong>{result.ok ? 'Intact' : 'Broken'}</strong> · {fmtInt(result.records)} records checked
              {result.first_bad ? ` · first bad record: seq ${result.first_bad.seq}` : ''} ·{' '}
              {fmtInt(result.checkpoints_checked)} signed checkpoints · {fmtInt(result.content_removed_by_retention)}{' '}
              removed by retention · {fmtInt(result.duration_ms)} ms
            </p>
          ) : (
            <p class="hint">Recomputes every hash of the workspace's chain and checks the signed checkpoints.</p>
          )}
        </div>
      </section>
      <section class="panel" aria-labelledby="sinks-title">
        <h2 id="sinks-title">SIEM sinks</h2>
        {list === null ? (
          <p class="loading">Loading…</p>
        ) : list.length === 0 ? (
          <p class="empty">No sinks configured (compliance.sinks in steward.toml).</p>
        ) : (
          <table class="data wide" data-testid="sinks">
            <caption class="sr-only">SIEM sinks</caption>
            <thead>
              <tr>
                <th scope="col">Sink</th>
                <th scope="col" class="text">
                  Type
                </th>
                <th scope="col">Lag (records)</th>
                <th scope="col">Delivered</th>
                <th scope="col">Dead letters</th>
                <th scope="col" class="text">
                  Last error
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.name}>
                  <th scope="row">
                    <span class={`dot ${s.enabled && !s.last_error ? 'live' : 'warn'}`} aria-hidden="true" /> {s.name}
                    {!s.enabled && ' (disabled)'}
                  </th>
                  <td class="text">{s.type}</td>
                  <td>{fmtInt(s.lag)}</td>
                  <td>{fmtInt(s.delivered)}</td>
                  <td>{fmtInt(s.dead_letters)}</td>
                  <td class="text">{s.last_error ? `${s.last_error} (${s.last_error_at})` : 'none'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

// The admin page's Settings tab: the analytics settings the server runs with (read-only: they are
// configuration) and the content policy (through the Compliance API).
import { useState } from 'preact/hooks';
import type { PageProps } from '../pages.js';
import { type ContentPolicy, policy, type Settings, setPolicy } from './people-api.js';
import { CONTENT_FIELDS, CONTENT_MODES } from './admin-data.js';
import { Alert, type Api, useLoad } from './admin-parts.js';

export function SettingsPanel({ api, session }: { api: Api; session: PageProps['session'] }) {
  const settings = useLoad<Settings>(() => api.settings(), []);
  const content = useLoad<ContentPolicy>(() => policy(session.workspace_id), []);
  const [draft, setDraft] = useState<Partial<ContentPolicy>>({});
  const [saved, setSaved] = useState('');
  const s = settings.data;
  const p = content.data && { ...content.data, ...draft };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await setPolicy(session, draft);
      setDraft({});
      setSaved('Saved. New records follow the new policy.');
      content.reload();
    } catch (err) {
      content.setError((err as Error).message);
    }
  };
  return (
    <div class="two">
      <section class="panel" aria-labelledby="analytics-settings-title">
        <h2 id="analytics-settings-title">Analytics</h2>
        <Alert text={settings.error} />
        {s ? (
          <dl class="settings" data-testid="settings">
            <div>
              <dt>Emails in usage rows and exports</dt>
              <dd data-testid="show-emails">{s.show_emails ? 'Shown' : 'Hidden (user ids only)'}</dd>
            </div>
            <div>
              <dt>Smallest team shown alone</dt>
              <dd data-testid="min-team-size">{s.min_team_size} members</dd>
            </div>
            <div>
              <dt>Lookback</dt>
              <dd>{s.lookback_days} days</dd>
            </div>
            <div>
              <dt>Public address</dt>
              <dd>{s.public_url ?? 'not set (developers are shown this page’s address)'}</dd>
            </div>
          </dl>
        ) : (
          <p class="loading">Loading…</p>
        )}
        <p class="hint">
          Set in the <code>[analytics]</code> section of the server’s config file (or <code>STEWARD_ANALYTICS_*</code>);
          they apply when <code>steward serve</code> starts.
        </p>
      </section>
      <section class="panel" aria-labelledby="policy-title">
        <h2 id="policy-title">Content policy</h2>
        <Alert text={content.error} />
        {p ? (
          <form class="policy" onSubmit={save}>
            {CONTENT_FIELDS.map(([f, label]) => (
              <label key={f}>
                {label}
                <select
                  value={String(p[f])}
                  onChange={(e) => (setSaved(''), setDraft({ ...draft, [f]: (e.target as HTMLSelectElement).value }))}
                >
                  {CONTENT_MODES.map(([v, t]) => (
                    <option key={v} value={v}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
            ))}
            <label class="check">
              <input
                type="checkbox"
                checked={p.dlp_redact}
                onChange={(e) => (
                  setSaved(''), setDraft({ ...draft, dlp_redact: (e.target as HTMLInputElement).checked })
                )}
              />
              Redact secrets and DLP terms in stored text
            </label>
            <div class="form-foot">
              <button type="submit" disabled={Object.keys(draft).length === 0}>
                Save policy
              </button>
              {saved && <span role="status">{saved}</span>}
            </div>
          </form>
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </div>
  );
}

// The admin page's Settings tab: the analytics settings that apply (the server's config narrowed by
// the workspace's own, which an owner changes here) and the content policy (through the Compliance API).
import { useState } from 'preact/hooks';
import type { PageProps } from '../pages.js';
import { type ContentPolicy, policy, type Settings, setPolicy } from './people-api.js';
import { CONTENT_FIELDS, CONTENT_MODES } from './admin-data.js';
import { Alert, type Api, useLoad } from './admin-parts.js';
import { PrivacyForm } from './admin-privacy.js';

export function SettingsPanel({ api, session }: { api: Api; session: PageProps['session'] }) {
  const loaded = useLoad<Settings>(() => api.settings(), []);
  const [fresh, setFresh] = useState<Settings | null>(null);
  const settings = { ...loaded, data: fresh ?? loaded.data };
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
              <dd data-testid="min-team-size">
                {s.min_team_size >= Number.MAX_SAFE_INTEGER ? 'Every team folded' : `${s.min_team_size} members`}
              </dd>
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
        {s && <PrivacyForm api={api} s={s} onSaved={setFresh} />}
        <p class="hint">
          The server’s limits are set in the <code>[analytics]</code> section of its config file (or{' '}
          <code>STEWARD_ANALYTICS_*</code>) and apply when <code>steward serve</code> starts; a workspace may narrow
          them, never widen them.
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

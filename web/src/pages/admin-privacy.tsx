// The Settings tab's analytics privacy form: whether emails appear and the team floor, saved through
// PATCH .../settings. The workspace may narrow what the server allows, never widen it, so a control
// the server's config overrides is disabled or explained next to it.
import { useState } from 'preact/hooks';
import type { Privacy, Settings } from './people-api.js';
import { Alert, type Api } from './admin-parts.js';

export function PrivacyForm({ api, s, onSaved }: { api: Api; s: Settings; onSaved: (next: Settings) => void }) {
  const [draft, setDraft] = useState<Partial<Privacy>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const serverHides = !s.server.show_emails;
  const emails = draft.show_emails ?? s.workspace.show_emails ?? true;
  const floor = draft.min_team_size ?? s.workspace.min_team_size ?? s.server.min_team_size;
  const floorValid = Number.isInteger(floor) && floor >= 1 && floor <= 10_000;
  const edit = (patch: Partial<Privacy>) => (setSaved(''), setError(''), setDraft({ ...draft, ...patch }));
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const next = await api.setSettings(draft);
      setDraft({});
      setSaved('Saved. Every page and export follows it from the next read.');
      onSaved(next);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="policy" onSubmit={save} aria-labelledby="privacy-title" data-testid="privacy-form">
      <h3 id="privacy-title" class="form-foot">
        This workspace
      </h3>
      <Alert text={error} />
      {s.unreadable.length > 0 && (
        <p role="alert" class="error form-foot">
          The stored settings could not be read ({s.unreadable.join(', ')}): emails are hidden and teams folded until
          they are saved again.
        </p>
      )}
      <label class="check">
        <input
          type="checkbox"
          checked={emails && !serverHides}
          disabled={serverHides}
          aria-describedby="show-emails-why"
          onChange={(e) => edit({ show_emails: (e.target as HTMLInputElement).checked })}
        />
        Show emails in usage rows, people pages and exports
      </label>
      <p id="show-emails-why" class="hint form-foot">
        {serverHides
          ? 'Disabled: the server hides emails (analytics.show_emails = false in its config); a workspace cannot show them.'
          : 'When off: user ids only, for everyone reading this workspace.'}
      </p>
      <label>
        Smallest team shown alone (members)
        <input
          type="number"
          min={1}
          max={10000}
          step={1}
          value={floor}
          aria-describedby="min-team-size-why"
          aria-invalid={!floorValid}
          onInput={(e) => edit({ min_team_size: Number((e.target as HTMLInputElement).value) })}
        />
      </label>
      <p id="min-team-size-why" class="hint">
        {floor < s.server.min_team_size
          ? `The server’s floor is ${s.server.min_team_size}: a smaller one here has no effect.`
          : `The server’s floor is ${s.server.min_team_size}; smaller teams show as Other (owners see them all).`}
      </p>
      <div class="form-foot">
        <button type="submit" disabled={Object.keys(draft).length === 0 || !floorValid}>
          Save analytics settings
        </button>
        {saved && <span role="status">{saved}</span>}
      </div>
    </form>
  );
}

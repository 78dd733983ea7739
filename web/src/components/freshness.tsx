// The data freshness indicator: the newest event the workspace has, and each source's, as "how long
// ago" (the server's times; the clock of this page only says how long ago that was). A source that
// stored something within the last quarter hour shows a live dot; one that never sent anything, a dash.
import type { Freshness } from '../api.js';

const SOURCE_NAMES: Record<Freshness['sources'][number]['source'], string> = {
  otlp: 'OpenTelemetry',
  rollout: 'Session files',
  api: 'Ingest API',
  code_review: 'Code Review',
};
const LIVE_MS = 15 * 60_000;

/** "just now", "4 min ago", "3 h ago", "2 d ago". */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function FreshnessLine({ f }: { f: Freshness }) {
  const now = f.as_of;
  const live = (ms: number | null) => ms !== null && now - ms < LIVE_MS;
  return (
    <>
      <span class={live(f.newest_event_at) ? 'dot live' : 'dot'} aria-hidden="true" />
      <span title={f.newest_event_at === null ? undefined : utc(f.newest_event_at)}>
        {f.newest_event_at === null ? 'No events yet' : `Newest event ${ago(f.newest_event_at, now)}`}
      </span>
      <span class="sources" data-testid="freshness-sources">
        {f.sources.map((s) => (
          <span
            key={s.source}
            class="source"
            data-source={s.source}
            title={
              s.newest_event_at === null
                ? `${SOURCE_NAMES[s.source]}: nothing received`
                : `${SOURCE_NAMES[s.source]}: newest event ${utc(s.newest_event_at)}` +
                  (s.stored_at === null ? '' : `, stored ${utc(s.stored_at)}`)
            }
          >
            <span class={live(s.newest_event_at) ? 'dot live' : 'dot'} aria-hidden="true" />
            {SOURCE_NAMES[s.source]} {s.newest_event_at === null ? '–' : ago(s.newest_event_at, now)}
          </span>
        ))}
      </span>
    </>
  );
}

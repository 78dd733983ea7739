// The log-file index (compliance_log_index) as a function of the chain: per event type and minute of
// recorded_at, how many records, their seq range, the newest recorded_at and event time. The index is
// not chained, so verify recomputes it from the records and reindex rewrites it (pure comparison here).
export const INDEX_MINUTE_MS = 60_000;

export interface LogIndexEntry {
  event_type: string;
  minute: number;
  records: number;
  first_seq: number;
  last_seq: number;
  last_recorded_at: number;
  max_ts: number;
}

// One (event type, minute) where the stored index and the chain disagree; null: no row on that side.
export interface LogIndexDifference {
  event_type: string;
  minute: number;
  index: LogIndexEntry | null;
  chain: LogIndexEntry | null;
}

const FIELDS = ['records', 'first_seq', 'last_seq', 'last_recorded_at', 'max_ts'] as const;
const keyOf = (e: { event_type: string; minute: number }) => `${e.event_type}\u0000${e.minute}`;

// Differences in (event type, minute) order. beforeMinute: only minutes before it are compared (the
// minutes appends committed in since the chain was read may hold records the chain read did not see).
export function diffLogIndex(
  chain: readonly LogIndexEntry[],
  index: readonly LogIndexEntry[],
  beforeMinute = Infinity,
): LogIndexDifference[] {
  const stored = new Map(index.map((e) => [keyOf(e), e]));
  const out: LogIndexDifference[] = [];
  for (const c of chain) {
    const s = stored.get(keyOf(c)) ?? null;
    stored.delete(keyOf(c));
    if (c.minute >= beforeMinute) continue;
    if (!s || FIELDS.some((f) => s[f] !== c[f])) {
      out.push({ event_type: c.event_type, minute: c.minute, index: s, chain: c });
    }
  }
  for (const s of stored.values()) {
    if (s.minute < beforeMinute) out.push({ event_type: s.event_type, minute: s.minute, index: s, chain: null });
  }
  const byType = (a: LogIndexDifference, b: LogIndexDifference) =>
    a.event_type < b.event_type ? -1 : a.event_type > b.event_type ? 1 : 0;
  return out.sort((a, b) => byType(a, b) || a.minute - b.minute);
}

// "CODEX_LOG 2026-12-02T13:58Z: index 0 records, chain 3" (max_ts and seq ranges when only they differ).
export function describeDifference(d: LogIndexDifference): string {
  const at = new Date(d.minute * INDEX_MINUTE_MS).toISOString().slice(0, 16) + 'Z';
  const n = (e: LogIndexEntry | null) => (e ? e.records : 0);
  let what = `index ${n(d.index)} records, chain ${n(d.chain)}`;
  if (d.index && d.chain && d.index.records === d.chain.records) {
    const fields = FIELDS.filter((f) => d.index![f] !== d.chain![f]);
    what = fields.map((f) => `${f} index ${d.index![f]}, chain ${d.chain![f]}`).join('; ');
  }
  return `${d.event_type} ${at}: ${what}`;
}

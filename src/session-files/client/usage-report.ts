// The usage report built from sums per quarter hour: usage (tokens, requests, cost) per quarter hour x
// model x thread and counted turns per quarter hour x thread, from the store's report queries or
// from the usage-only pass over session files. Summed per local day, ISO week (Monday), month or
// thread in a time zone, in the shape and with the token semantics of ccusage's JSON (inputTokens =
// uncached input, cacheReadTokens = cached input, reasoning is part of output, totalTokens = input +
// output). Pure: the report command loads it without the store.
import { FALLBACK_MODEL } from '../../core/pricing.js';
import { validationError } from '../../core/errors.js';

// Every time zone's offset is a multiple of 15 minutes, so quarter hours bucket into local days exactly.
export const SLOT_MS = 900_000;

export interface UsageSlotRow {
  slot: number;
  model: string;
  thread_id: string;
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_nusd: number;
  fallback: number;
  first_ts: number;
  last_ts: number;
}

export interface TurnSlotRow {
  slot: number;
  thread_id: string;
  turns: number;
}

export type ReportKind = 'daily' | 'weekly' | 'monthly' | 'session';
export const KEY_FIELD: Record<ReportKind, string> = {
  daily: 'date',
  weekly: 'week',
  monthly: 'month',
  session: 'sessionId',
};
const LIST_FIELD: Record<ReportKind, string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  session: 'sessions',
};

export interface TokenFigures {
  inputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
  costUSD: number;
}

export interface ModelFigures extends TokenFigures {
  isFallback: boolean;
  requests: number;
}

export interface ReportRow extends TokenFigures {
  [key: string]: unknown;
  models: Record<string, ModelFigures>;
  requests: number;
  turns: number;
  threads: number;
}

export interface Report {
  kind: ReportKind;
  timezone: string;
  rows: ReportRow[];
  totals: TokenFigures & { requests: number; turns: number; threads: number };
}

export interface ReportRange {
  timezone?: string;
  since?: string; // YYYY-MM-DD or YYYYMMDD, inclusive, in the time zone
  until?: string;
}

export function parseReportDate(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v.trim());
  if (!m || Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`)))
    throw validationError(name, `"${v}" is not a date (YYYY-MM-DD or YYYYMMDD)`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export function resolveTimezone(tz: string | undefined): string {
  // UTC needs no zone data: the first Intl call loads ICU's (~40 ms, a tenth of a repeat report).
  if (tz === 'UTC') return tz;
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw validationError('timezone', `unknown time zone "${zone}" (an IANA name such as Europe/Berlin or UTC)`);
  }
}

/** Local calendar date (YYYY-MM-DD) of each quarter hour in a time zone, memoized. */
function localDates(timezone: string): (slot: number) => string {
  if (timezone === 'UTC') {
    const days = new Map<number, string>();
    return (slot) => {
      const day = Math.floor((slot * SLOT_MS) / 86_400_000);
      let d = days.get(day);
      if (d === undefined) days.set(day, (d = new Date(day * 86_400_000).toISOString().slice(0, 10)));
      return d;
    };
  }
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const cache = new Map<number, string>();
  return (slot) => {
    let d = cache.get(slot);
    if (d === undefined) {
      const parts = fmt.formatToParts(new Date(slot * SLOT_MS));
      const get = (t: string) => parts.find((p) => p.type === t)!.value;
      d = `${get('year')}-${get('month')}-${get('day')}`;
      cache.set(slot, d);
    }
    return d;
  };
}

function mondayOf(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // 0 = Monday
  return new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
}

const zero = (): TokenFigures => ({
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
  totalTokens: 0,
  costUSD: 0,
});

/** The report from usage and turn rows per quarter hour: the store's (buildReport) or the usage-only pass's. */
export function reportFromSlots(
  kind: ReportKind,
  opts: ReportRange,
  usage: UsageSlotRow[],
  turns: TurnSlotRow[],
): Report {
  const timezone = resolveTimezone(opts.timezone);
  const since = parseReportDate(opts.since, 'since');
  const until = parseReportDate(opts.until, 'until');
  if (since && until && since > until) throw validationError('since', `--since ${since} is after --until ${until}`);
  // One order whatever the source's (a model's place among a row's models follows its first row).
  // Code-unit order, not localeCompare: collation made the sort most of a repeat report's time.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  usage = [...usage].sort((a, b) => a.slot - b.slot || cmp(a.model, b.model) || cmp(a.thread_id, b.thread_id));
  const dateOf = localDates(timezone);
  const inRange = (d: string) => (!since || d >= since) && (!until || d <= until);
  const keyOf = (slot: number, thread: string): string => {
    if (kind === 'session') return thread;
    const d = dateOf(slot);
    return kind === 'daily' ? d : kind === 'monthly' ? d.slice(0, 7) : mondayOf(d);
  };

  interface Acc {
    row: ReportRow;
    nano: number;
    modelNano: Map<string, number>;
    threads: Set<string>;
    first: number;
    last: number;
  }
  const accs = new Map<string, Acc>();
  const acc = (key: string): Acc => {
    let a = accs.get(key);
    if (!a) {
      const row = { [KEY_FIELD[kind]]: key, ...zero(), models: {}, requests: 0, turns: 0, threads: 0 } as ReportRow;
      accs.set(key, (a = { row, nano: 0, modelNano: new Map(), threads: new Set(), first: Infinity, last: -Infinity }));
    }
    return a;
  };
  const totals = { ...zero(), requests: 0, turns: 0, threads: 0 };
  let totalNano = 0;
  const allThreads = new Set<string>();
  for (const u of usage) {
    if (!inRange(dateOf(u.slot))) continue;
    const a = acc(keyOf(u.slot, u.thread_id));
    const name = u.model === 'unknown' ? FALLBACK_MODEL : u.model;
    const m = (a.row.models[name] ??= { ...zero(), isFallback: false, requests: 0 });
    const uncached = u.input_tokens - u.cached_input_tokens;
    for (const t of [a.row, m, totals] as TokenFigures[]) {
      t.inputTokens += uncached;
      t.cacheReadTokens += u.cached_input_tokens;
      t.outputTokens += u.output_tokens;
      t.reasoningOutputTokens += u.reasoning_tokens;
      t.totalTokens += u.input_tokens + u.output_tokens;
    }
    m.requests += u.requests;
    m.isFallback ||= u.model === 'unknown' || u.fallback === 1;
    a.row.requests += u.requests;
    totals.requests += u.requests;
    a.nano += u.cost_nusd;
    a.modelNano.set(name, (a.modelNano.get(name) ?? 0) + u.cost_nusd);
    totalNano += u.cost_nusd;
    a.first = Math.min(a.first, u.first_ts);
    a.last = Math.max(a.last, u.last_ts);
  }
  for (const t of turns) {
    if (!inRange(dateOf(t.slot))) continue;
    const a = acc(keyOf(t.slot, t.thread_id));
    a.row.turns += t.turns;
    a.threads.add(t.thread_id);
    totals.turns += t.turns;
    allThreads.add(t.thread_id);
  }
  const rows: ReportRow[] = [];
  for (const a of accs.values()) {
    a.row.costUSD = a.nano / 1e9;
    for (const [name, nano] of a.modelNano) a.row.models[name]!.costUSD = nano / 1e9;
    a.row.threads = a.threads.size;
    if (kind === 'session') {
      a.row.threadId = a.row.sessionId;
      a.row.firstActivity = Number.isFinite(a.first) ? new Date(a.first).toISOString() : null;
      a.row.lastActivity = Number.isFinite(a.last) ? new Date(a.last).toISOString() : null;
    }
    rows.push(a.row);
  }
  if (kind === 'session')
    rows.sort(
      (x, y) =>
        String(x.lastActivity ?? '').localeCompare(String(y.lastActivity ?? '')) ||
        String(x.sessionId).localeCompare(String(y.sessionId)),
    );
  // Dates (a day, a week's Monday, a month) written alike sort the same by code units, without
  // the collator, whose first use was ~0.1 s of a report's main thread.
  else rows.sort((x, y) => cmp(String(x[KEY_FIELD[kind]]), String(y[KEY_FIELD[kind]])));
  totals.costUSD = totalNano / 1e9;
  totals.threads = allThreads.size;
  return { kind, timezone, rows, totals };
}

/** The report as JSON, in ccusage's shape: `{daily|weekly|monthly|sessions: [...], totals}`. */
export function reportJson(r: Report): Record<string, unknown> {
  return { [LIST_FIELD[r.kind]]: r.rows, totals: r.totals, timezone: r.timezone };
}

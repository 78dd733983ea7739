// What the user page shows, from that user's usage rows (one per bucket): totals, the series for
// the chart, and per-client and per-model totals. Pure, so every figure is a sum of API rows.
import type { UsageRow } from '../api.js';
import type { Breakdown, Measure, Series } from '../overview-data.js';
import { DAY } from '../components/range.js';

export interface UserTotals {
  threads: number;
  turns: number;
  credits: number;
  usd: number;
  tokens: number;
  activeDays: number;
  /** Consecutive active UTC days ending today (or yesterday, when today has nothing yet). */
  streak: number;
}

export function userTotals(dayRows: UsageRow[], now = Date.now() / 1000): UserTotals {
  const t: UserTotals = { threads: 0, turns: 0, credits: 0, usd: 0, tokens: 0, activeDays: 0, streak: 0 };
  const days = new Set<number>();
  for (const r of dayRows) {
    t.threads += r.totals.threads;
    t.turns += r.totals.turns;
    t.credits += r.totals.credits;
    t.usd += r.totals.cost_usd;
    t.tokens += r.totals.text_total_tokens;
    if (r.totals.turns > 0 || r.totals.text_total_tokens > 0) days.add(Math.floor(r.start_time / DAY));
  }
  t.activeDays = days.size;
  let d = Math.floor(now / DAY);
  if (!days.has(d)) d--;
  while (days.has(d)) {
    t.streak++;
    d--;
  }
  return t;
}

/** One line per model (or client) over every bucket; a bucket without rows is 0. */
export function userSeries(rows: UsageRow[], buckets: number[], by: Breakdown, measure: Measure): Series {
  const at = new Map(buckets.map((b, i) => [b, i]));
  const lines = new Map<string, number[]>();
  for (const r of rows) {
    const i = at.get(r.start_time);
    if (i === undefined) continue;
    const parts =
      by === 'model'
        ? r.models.map((m) => [m.model, m[measure]] as const)
        : r.clients.map((c) => [c.client_id, c[measure]] as const);
    for (const [key, v] of parts) {
      let values = lines.get(key);
      if (!values) lines.set(key, (values = buckets.map(() => 0)));
      values[i] += v;
    }
  }
  const out = [...lines].map(([key, values]) => ({ key, values, total: values.reduce((a, b) => a + b, 0) }));
  return { x: buckets, lines: out.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key)) };
}

export interface Part {
  key: string;
  threads: number;
  turns: number;
  credits: number;
  tokens: number;
}

/** Totals per client and per model over the rows (threads: clients only, as the API gives them). */
export function breakdown(rows: UsageRow[]): { clients: Part[]; models: Part[] } {
  const add = (m: Map<string, Part>, key: string, p: Omit<Part, 'key'>) => {
    const x = m.get(key) ?? m.set(key, { key, threads: 0, turns: 0, credits: 0, tokens: 0 }).get(key)!;
    x.threads += p.threads;
    x.turns += p.turns;
    x.credits += p.credits;
    x.tokens += p.tokens;
  };
  const clients = new Map<string, Part>();
  const models = new Map<string, Part>();
  for (const r of rows) {
    for (const c of r.clients)
      add(clients, c.client_id, {
        threads: c.threads,
        turns: c.turns,
        credits: c.credits,
        tokens: c.text_total_tokens,
      });
    for (const m of r.models)
      add(models, m.model, { threads: 0, turns: m.turns, credits: m.credits, tokens: m.text_total_tokens });
  }
  const sorted = (m: Map<string, Part>) =>
    [...m.values()].sort((a, b) => b.tokens - a.tokens || a.key.localeCompare(b.key));
  return { clients: sorted(clients), models: sorted(models) };
}

const textOf = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string'
      ? (v as { text: string }).text
      : '';

/** What a compliance record is (its kind, else its event type) and a short line of its text. */
export function recordSummary(eventType: string, content: Record<string, unknown>): { kind: string; text: string } {
  const kind =
    typeof content.kind === 'string' ? content.kind : typeof content.action === 'string' ? content.action : eventType;
  let text = '';
  for (const k of ['prompt', 'response', 'message', 'arguments', 'output', 'text']) {
    text = textOf(content[k]);
    if (text) break;
  }
  if (typeof content.tool_name === 'string') text = text ? `${content.tool_name}: ${text}` : content.tool_name;
  const short = text.replace(/\s+/g, ' ').trim();
  return { kind: kind.replace(/_/g, ' '), text: short.length > 200 ? `${short.slice(0, 200)}…` : short };
}

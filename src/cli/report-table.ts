// The report as a table that fits the terminal: full columns when there is room, a compact set
// otherwise; --breakdown adds one row per model under each period.
import Table from 'cli-table3';
import { KEY_FIELD, type ModelFigures, type Report, type TokenFigures } from '../session-files/client/index.js';

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => `$${x.toFixed(2)}`;

interface Col {
  head: string;
  get: (t: TokenFigures & { requests?: number; turns?: number }) => string;
  compact?: boolean; // kept in the compact layout
}

const COLUMNS: Col[] = [
  { head: 'Input', get: (t) => n(t.inputTokens), compact: true },
  { head: 'Output', get: (t) => n(t.outputTokens), compact: true },
  { head: 'Reasoning', get: (t) => n(t.reasoningOutputTokens) },
  { head: 'Cache Read', get: (t) => n(t.cacheReadTokens) },
  { head: 'Total Tokens', get: (t) => n(t.totalTokens) },
  { head: 'Turns', get: (t) => (t.turns === undefined ? '' : n(t.turns)) },
  { head: 'Cost (USD)', get: (t) => usd(t.costUSD), compact: true },
];

const TITLES = { daily: 'Date', weekly: 'Week', monthly: 'Month', session: 'Thread' } as const;

export function reportTable(r: Report, opts: { breakdown?: boolean; width?: number }): string {
  const width = opts.width ?? process.stdout.columns ?? 120;
  const compact = width < 110;
  const cols = COLUMNS.filter((c) => !compact || c.compact);
  const keyHead = TITLES[r.kind];
  const table = new Table({
    head: [keyHead, 'Models', ...cols.map((c) => c.head)],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', ...cols.map(() => 'right' as const)],
    wordWrap: true,
  });
  for (const row of r.rows) {
    // The whole thread id, so it can be pasted into a search or `codex resume`.
    let key = String(row[KEY_FIELD[r.kind]]);
    if (r.kind === 'session') key = `${key}\n${String(row.lastActivity ?? '').slice(0, 10)}`;
    const models = Object.keys(row.models).sort();
    table.push([key, opts.breakdown ? '' : models.map((m) => `- ${m}`).join('\n'), ...cols.map((c) => c.get(row))]);
    if (opts.breakdown) {
      for (const m of models) {
        const f: ModelFigures = row.models[m]!;
        table.push([
          '  └',
          `${m}${f.isFallback ? ' *' : ''}`,
          ...cols.map((c) => (c.head === 'Turns' ? '' : c.get(f))),
        ]);
      }
    }
  }
  table.push(['Total', '', ...cols.map((c) => c.get(r.totals))]);
  const notes = [
    (r.kind === 'session' ? '' : `${r.rows.length} periods, `) +
      `${n(r.totals.threads)} threads, ${n(r.totals.turns)} turns, ${n(r.totals.requests)} model responses; ` +
      `time zone ${r.timezone}`,
  ];
  if (compact) notes.push('(narrow terminal: reasoning, cache read and total columns hidden; --json has everything)');
  if (opts.breakdown && Object.values(r.rows).some((x) => Object.values(x.models).some((m) => m.isFallback)))
    notes.push('* priced as the fallback model (model unknown to the rate card)');
  return `${table.toString()}\n${notes.join('\n')}`;
}

// The report as CSV (RFC 4180) for spreadsheets: one row per period, or per period and model with
// --breakdown; plain numbers, no thousands separators. (No CSV library is installed; quoting is the
// whole of the format here.)
import { KEY_FIELD, type Report, type TokenFigures } from '../session-files/client/index.js';

const KEY_HEADS = { daily: 'date', weekly: 'week', monthly: 'month', session: 'session_id' } as const;
const HEAD =
  'models,input_tokens,cached_input_tokens,output_tokens,reasoning_output_tokens,total_tokens,turns,cost_usd';

const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const figures = (t: TokenFigures, turns: number | undefined) =>
  [t.inputTokens, t.cacheReadTokens, t.outputTokens, t.reasoningOutputTokens, t.totalTokens, turns ?? '', t.costUSD]
    .map(String)
    .join(',');

export function reportCsv(r: Report, opts: { breakdown?: boolean }): string {
  const lines = [`${KEY_HEADS[r.kind]},${HEAD}`];
  for (const row of r.rows) {
    const key = field(String(row[KEY_FIELD[r.kind]]));
    const models = Object.keys(row.models).sort();
    if (!opts.breakdown) lines.push(`${key},${field(models.join(' '))},${figures(row, row.turns)}`);
    else for (const m of models) lines.push(`${key},${field(m)},${figures(row.models[m]!, undefined)}`);
  }
  return `${lines.join('\n')}\n`;
}

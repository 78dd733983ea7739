import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ModelFigures, Report } from '../session-files/client/index.js';
import { reportCsv } from './report-csv.js';
import { reportTable } from './report-table.js';

const fig = (x: number) => ({
  inputTokens: x,
  cacheReadTokens: x / 2,
  cacheCreationTokens: 0,
  outputTokens: x / 10,
  reasoningOutputTokens: 0,
  totalTokens: x + x / 10,
  costUSD: x / 1000,
});
const model = (x: number, isFallback = false): ModelFigures => ({ ...fig(x), isFallback, requests: 1 });
const ID = '019a7f2c-1111-7222-8333-444455556666';
const report: Report = {
  kind: 'session',
  timezone: 'UTC',
  rows: [
    {
      sessionId: ID,
      lastActivity: '2026-11-22T10:00:00Z',
      ...fig(3000),
      models: { 'gpt-5.5': model(1000), 'odd, "model"': model(2000, true) },
      requests: 2,
      turns: 2,
      threads: 1,
    },
  ],
  totals: { ...fig(3000), requests: 2, turns: 2, threads: 1 },
};

it('--csv: one row per period with a header, quoted where a field needs it', () => {
  assert.equal(
    reportCsv(report, {}),
    'session_id,models,input_tokens,cached_input_tokens,output_tokens,reasoning_output_tokens,' +
      'total_tokens,turns,cost_usd\n' +
      `${ID},"gpt-5.5 odd, ""model""",3000,1500,300,0,3300,2,3\n`,
  );
});

it('--csv --breakdown: one row per period and model', () => {
  const lines = reportCsv(report, { breakdown: true }).trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[1], `${ID},gpt-5.5,1000,500,100,0,1100,,1`);
  assert.equal(lines[2], `${ID},"odd, ""model""",2000,1000,200,0,2200,,2`);
});

it('the session table shows whole thread ids and, with --breakdown, models in the Models column', () => {
  const t = reportTable(report, { breakdown: true, width: 200 });
  assert.ok(t.includes(ID), t);
  const modelRow = t.split('\n').find((l) => l.includes('gpt-5.5'))!;
  const cells = modelRow.split('│').map((c) => c.trim());
  assert.equal(cells[2], 'gpt-5.5', modelRow);
});

// The per-person panels' statements with and without the base's row per person (decisions/0058),
// alternating in one process on the store bench/query.bench.ts generates (run that first; the base
// is built here as the daily job does). Each plan is compiled twice, `personBase` on and off, and
// both answers must be equal. SQLite: CPU ms of the statement in this process; PostgreSQL: wall ms
// (the server's CPU is not ours to count). Each run as the app runs it (runQuery: on PostgreSQL
// without parallel workers, decisions/0066).
// Run: node --import tsx bench/person-base.bench.ts [--dialect sqlite|postgres] [--iterations 20]
import { parseArgs } from 'node:util';
import { runQuery } from '../src/analytics/query/query.compiler.js';
import { queryBody } from '../src/analytics/query/query.contract.js';
import { planQuery } from '../src/analytics/query/query.plan.js';
import { buildWindows } from '../src/ingest/index.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { benchStore, clockToStoreDay } from './support/stores.js';
import { ownerPlanContext, personPanelQueries } from './support/panel-queries.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    iterations: { type: 'string', default: '20' },
    name: { type: 'string', default: 'query_1000000_10000' },
  },
});
const dialect = values.dialect as DialectName;
const N = Number(values.iterations);
const store = await benchStore(dialect, values.name!, false);
const ws = (await store.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()).id;
await clockToStoreDay(store.db, ws, dialect);
const built = await buildWindows(store.db, ws);
const team = (await store.db.selectFrom('teams').select('id').orderBy('name').executeTakeFirstOrThrow()).id;
const QUERIES = personPanelQueries(team);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]!;
const out: Record<string, object> = {};
for (const [label, body] of Object.entries(QUERIES)) {
  const q = queryBody.parse(body);
  const plan = planQuery(q, ownerPlanContext(ws, built.anchor, q.filters.team_id));
  const t = { before: [] as number[], after: [] as number[] };
  const answer: Record<string, string> = {};
  for (let i = 0; i < N + 2; i++)
    for (const k of ['before', 'after'] as const) {
      const p = { ...plan, personBase: k === 'after' && plan.personBase };
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const rows = await runQuery(store.db, p);
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      if (i >= 2) t[k].push(dialect === 'sqlite' ? (used.user + used.system) / 1000 : wall);
      answer[k] = JSON.stringify(rows);
    }
  if (answer.before !== answer.after) throw new Error(`${label}: the two plans answer differently`);
  const f = (xs: number[]) => `${median(xs).toFixed(1)} / ${p95(xs).toFixed(1)}`;
  out[label] = { person_base: plan.personBase, before: f(t.before), after: f(t.after) };
}
console.log(
  `[${dialect}] ${dialect === 'sqlite' ? 'CPU' : 'wall'} ms per statement, median / p95 of ${N}, alternating; both plans answer the same:`,
);
console.table(out);
await store.close();

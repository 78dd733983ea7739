// The statements one range change of the overview runs, each alone, on `steward demo`'s SQLite store
// (bench/out/demo-sqlite, made by bench/dashboard-demo.bench.ts), opened read-only. "Today" is the
// day of the store's window base, so that the window path is taken whatever the clock says. CPU ms
// of the statement in this process (median and p95), the plan SQLite chose with --plan, and with
// --check each answer against the day rollups' (the plan without the window base). With
// --database-url (and --pg-schema), a PostgreSQL store instead (bench/query.bench.ts makes one):
// the server's execution time from EXPLAIN (ANALYZE), serial as the app runs them (decisions/0066).
// Run: node --import tsx bench/overview-range.bench.ts [--iterations 15] [--days 30] [--plan] [--check]
//      [--database-url postgres://… --pg-schema bench_query_1000000_10000]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { compileQuery, runQuery } from '../src/analytics/query/query.compiler.js';
import { queryBody } from '../src/analytics/query/query.contract.js';
import { planQuery, type QueryPlan } from '../src/analytics/query/query.plan.js';
import { DAY_MS } from '../src/core/time.js';
import { openStore } from '../src/platform/storage/database.js';
import type { Database } from '../src/platform/storage/schema.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '15' },
    days: { type: 'string', default: '30' },
    file: { type: 'string', default: 'bench/out/demo-sqlite/steward.db' },
    plan: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    'database-url': { type: 'string' },
    'pg-schema': { type: 'string' },
  },
});
const N = Number(values.iterations);
const url = values['database-url'];
const sqlite = url ? null : new SQLite(values.file!, { readonly: true, fileMustExist: true });
sqlite?.pragma('cache_size = -65536');
const pg = url ? openStore({ databaseUrl: url, pgSchema: values['pg-schema'], poolSize: 1 }) : null;
const db: Kysely<Database> = pg ? pg.db : new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite! }) });
if (pg) await sql`set max_parallel_workers_per_gather = 0`.execute(db);
// PostgreSQL: the execution time it reports for the statement; SQLite: this process's CPU for it.
async function timed(plan: QueryPlan): Promise<[number, number]> {
  if (!pg) {
    const t0 = cpu();
    const rows = (await runQuery(db, plan)).length;
    return [cpu() - t0, rows];
  }
  const c = compileQuery(db, plan).compile();
  const r = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...c, sql: `explain (analyze, costs off) ${c.sql}` });
  const lines = r.rows.map((x) => x['QUERY PLAN']);
  const ms = Number(/[\d.]+/.exec(lines.find((l) => l.startsWith('Execution Time'))!)![0]);
  return [ms, (await runQuery(db, plan)).length];
}
const state = await db.selectFrom('usage_window_state').select(['workspace_id', 'anchor']).executeTakeFirstOrThrow();
const anchor = Number(state.anchor);
const now = anchor * DAY_MS + DAY_MS / 2;
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const days = Number(values.days);
const range = [iso(anchor - days + 1), iso(anchor)];
const before = [iso(anchor - 2 * days + 1), iso(anchor - days)];
const TILES = ['active_users', 'threads', 'turns', 'credits', 'cost_usd', 'text_total_tokens'];
const PANEL = ['active_users', 'threads', 'turns'];
const AMOUNTS = ['credits', 'text_total_tokens'];
const QUERIES: Record<string, object> = {
  tiles: { metrics: TILES, date_range: range },
  'tiles, previous period': { metrics: TILES, date_range: before },
  'by surface': { metrics: PANEL, dimensions: ['surface'], date_range: range },
  'by client': { metrics: PANEL, dimensions: ['client'], date_range: range },
  'by model': { metrics: AMOUNTS, dimensions: ['model'], date_range: range },
  'by time:day + model': { metrics: AMOUNTS, dimensions: ['time:day', 'model'], date_range: range },
  'by team (active users)': { metrics: ['active_users'], dimensions: ['team'], date_range: range, limit: 1000 },
  ranking: {
    metrics: ['credits', 'turns', 'text_total_tokens', 'current_streak', 'threads'],
    dimensions: ['user'],
    date_range: range,
    order_by: [['credits', 'desc']],
    limit: 500,
    include: { total_rows: true },
  },
};
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)]!;
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
console.log(`load average at start: ${load()}; ${days} days ending ${iso(anchor)} (the base's day); ${N} runs each`);
let sum = 0;
for (const [label, body] of Object.entries(QUERIES)) {
  if (values.only && !label.includes(values.only)) continue;
  const parsed = queryBody.parse(body);
  const plan = planQuery(parsed, {
    workspaceId: state.workspace_id,
    now,
    lookbackDays: 400,
    reach: null,
    seesSmallTeams: true,
    smallTeams: [],
    windowAnchor: anchor,
  });
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < N + 1; i++) {
    const [ms, n] = await timed(plan);
    rows = n;
    if (i > 0) times.push(ms);
  }
  sum += q(times, 0.5);
  console.log(`${label}: ${q(times, 0.5).toFixed(1)} / ${q(times, 0.95).toFixed(1)} ms (median / p95), ${rows} rows`);
  if (values.check) {
    const a = JSON.stringify(await runQuery(db, plan));
    const b = JSON.stringify(await runQuery(db, { ...plan, window: null, personBase: false }));
    console.log(`    ${a === b ? 'equal to' : 'DIFFERENT from'} the day rollups' answer`);
    if (a !== b) process.exitCode = 1;
  }
  if (values.plan && sqlite) {
    const c = compileQuery(db, plan).compile();
    for (const r of sqlite.prepare(`explain query plan ${c.sql}`).all(...(c.parameters as unknown[])) as {
      detail: string;
    }[])
      console.log(`    ${r.detail}`);
  }
}
console.log(`sum of medians: ${sum.toFixed(1)} ms; load average at end: ${load()}`);
if (pg) await pg.close();
else await db.destroy();

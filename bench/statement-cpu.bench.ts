// The server's CPU per per-person panel statement on PostgreSQL (decisions/0070): wall times on the
// shared two-core machine swung 2-3x between identical runs, while the CPU the statement's backend
// used moved a few percent. The panels' statements of bench/person-base.bench.ts (the window path),
// compiled as the app compiles them and run on one connection without parallel workers (as runQuery
// does), in rounds; the backend's user + system time read from /proc, so the server must run on
// this machine. Run bench/query.bench.ts first (it generates the store); the base is read as built.
// Run: node --import tsx bench/statement-cpu.bench.ts [--iterations 20] [--rounds 6]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compileQuery } from '../src/analytics/query/query.compiler.js';
import { queryBody } from '../src/analytics/query/query.contract.js';
import { planQuery } from '../src/analytics/query/query.plan.js';
import { windowAnchor } from '../src/ingest/index.js';
import { benchStore, clockToStoreDay, PG_URL } from './support/stores.js';
import { ownerPlanContext, personPanelQueries } from './support/panel-queries.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '6' },
    name: { type: 'string', default: 'query_1000000_10000' },
  },
});
const N = Number(values.iterations);
const store = await benchStore('postgres', values.name!, false);
const ws = (await store.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()).id;
await clockToStoreDay(store.db, ws, 'postgres');
const anchor = await windowAnchor(store.db, ws);
const QUERIES = personPanelQueries();
const statements = Object.entries(QUERIES).map(([label, body]) => {
  const q = queryBody.parse(body);
  const plan = planQuery(q, ownerPlanContext(ws, anchor));
  if (!plan.personBase) throw new Error(`${label}: no base for today (run bench/query.bench.ts first)`);
  const c = compileQuery(store.db, plan).compile();
  return { label, sql: c.sql, parameters: c.parameters as unknown[] };
});
await store.close();

const c = new pg.Client({ connectionString: PG_URL });
await c.connect();
await c.query(`set search_path = bench_${values.name!.replace(/\W/g, '_')}`);
await c.query('set max_parallel_workers_per_gather = 0');
const pid = (await c.query('select pg_backend_pid() as p')).rows[0].p as number;
const tickMs = 10; // USER_HZ = 100 on Linux
const cpuMs = () => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * tickMs;
};
const pages = await c.query(`select relname, n_dead_tup, pg_relation_size(relid) / 8192 as pages
  from pg_stat_user_tables where relname = 'usage_person_window' and schemaname = current_schema()`);
const cpu: Record<string, number[]> = {};
const wall: Record<string, number[]> = {};
for (let r = 0; r < Number(values.rounds); r++)
  for (const s of statements) {
    for (let w = 0; w < 2; w++) await c.query(s.sql, s.parameters);
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await c.query(s.sql, s.parameters);
    (wall[s.label] ??= []).push((performance.now() - t0) / N);
    (cpu[s.label] ??= []).push((cpuMs() - c0) / N);
  }
await c.end();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`[postgres] usage_person_window: ${JSON.stringify(pages.rows[0])}`);
console.log(`[postgres] per statement, median of ${values.rounds} rounds of ${N}: server CPU ms and wall ms`);
console.table(
  Object.fromEntries(
    statements.map((s) => [
      s.label,
      { server_cpu_ms: +median(cpu[s.label]!).toFixed(1), wall_ms: +median(wall[s.label]!).toFixed(1) },
    ]),
  ),
);

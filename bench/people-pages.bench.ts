// The reads behind the Teams and Adoption pages on a `steward demo` store (bench/support/demo-store.ts),
// through the real app over loopback HTTP, the page's reads before and after decisions/0043 side by
// side in one run:
//   Teams, before: GET .../usage?group=team and every page of GET .../usage?group=user (30 days, by day)
//   Teams, after:  POST .../query by team (active users, credits, threads, turns, text tokens)
//   Adoption, after: GET .../adoption (the figures) and the first page of GET .../adoption/seats
// (the old all-seats adoption read is gone; bench/people.bench.ts measured it). CPU is this process's
// (server and client) per page open. The demo store must exist: `bench/dashboard-demo.bench.ts` makes it.
// Run: node --import tsx bench/people-pages.bench.ts [--dialect sqlite|postgres] [--name demo] [--runs 5]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createKey } from '../src/access/keys.service.js';
import { buildApp } from '../src/app/app.js';
import { configSchema } from '../src/config/schema.js';
import { type DialectName, openStore } from '../src/platform/storage/database.js';
import { OUT, PG_URL } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    name: { type: 'string', default: 'demo' },
    runs: { type: 'string', default: '5' },
  },
});
const dialect = values.dialect as DialectName;
const RUNS = Number(values.runs);
const store =
  dialect === 'sqlite'
    ? openStore({ dataDir: path.join(OUT, `${values.name}-sqlite`) })
    : openStore({ databaseUrl: PG_URL, pgSchema: `bench_${values.name!.replace(/\W/g, '_')}` });
const ws = (await store.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()).id;
const { app } = await buildApp({ store, config: configSchema.parse({}) });
const origin = await app.listen({ host: '127.0.0.1', port: 0 });
const { secret } = await createKey(
  store.db,
  { workspaceId: ws, scopes: ['codex.enterprise.analytics.read'] },
  { type: 'system', id: null },
);
const A = `${origin}/v1/analytics/codex/workspaces/${ws}`;
const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
async function get(url: string) {
  const r = await fetch(url, { headers });
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.json() as Promise<any>;
}
async function allPages(url: string) {
  let page: string | null = null;
  let rows = 0;
  do {
    const b: any = await get(`${url}${page ? `&page=${page}` : ''}`);
    rows += b.data.length;
    page = b.has_more ? b.next_page : null;
  } while (page);
  return rows;
}
const end = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400;
const window = `start_time=${end - 30 * 86_400}&end_time=${end}&group_by=day`;
const opens: [string, () => Promise<unknown>][] = [
  [
    'Teams, before (group=team + every group=user page)',
    () =>
      Promise.all([
        allPages(`${A}/usage?${window}&group=team&limit=1000`),
        allPages(`${A}/usage?${window}&group=user&limit=30000`),
      ]),
  ],
  [
    'Teams, after (one query by team)',
    () =>
      fetch(`${A}/query`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          metrics: ['active_users', 'credits', 'threads', 'turns', 'text_total_tokens'],
          dimensions: ['team'],
          date_range: '30d',
          limit: 10000,
        }),
      }).then((r) => r.json()),
  ],
  [
    'Adoption, after (figures + first 500 seats)',
    () => Promise.all([get(`${A}/adoption`), get(`${A}/adoption/seats?limit=500`)]),
  ],
  [
    'Keys, after (the seats of 50 tokens)',
    async () => {
      const ids = (
        await store.db.selectFrom('users').select('id').where('workspace_id', '=', ws).orderBy('id').limit(50).execute()
      ).map((u) => u.id);
      return get(`${A}/adoption/seats?user_id=${ids.join(',')}`);
    },
  ],
];
const load = async () =>
  (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
console.log(`${dialect}, load average ${await load()}, ${new Date().toISOString()}`);
for (const [name, open] of opens) {
  await open(); // warm
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await open();
    times.push(performance.now() - t);
  }
  const c = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  console.log(
    `  ${name}: p50 ${times[Math.floor((RUNS - 1) / 2)]!.toFixed(0)} ms, max ${times[RUNS - 1]!.toFixed(0)} ms, CPU ${((c.user + c.system) / 1000 / RUNS).toFixed(0)} ms per open`,
  );
}
console.log(`load average at end ${await load()}`);
await app.close();
await store.close();

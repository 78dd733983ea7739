// The streamed exports at scale: every export of a store filled by `steward demo` (10,000 people x 90
// days), fetched over loopback HTTP from the real app, with the server's RSS sampled all along. The
// point is memory: the peak must stay near the baseline however many rows stream.
// Run: steward demo --data DIR (or --database-url URL) first, then
//   node --import tsx bench/exports.bench.ts --data DIR [--days 90] | --database-url URL
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app/app.js';
import { createKey, defaultWorkspace } from '../src/access/index.js';
import { configSchema } from '../src/config/schema.js';
import { openStore } from '../src/platform/storage/database.js';
import { migrateToLatest } from '../src/migrations/migrate.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, 'database-url': { type: 'string' }, days: { type: 'string', default: '90' } },
});
const store = openStore({ dataDir: values.data, databaseUrl: values['database-url'] });
await migrateToLatest(store.db);
const ws = await defaultWorkspace(store.db);
const { app } = await buildApp({ store, config: configSchema.parse({}) });
const origin = await app.listen({ host: '127.0.0.1', port: 0 });
const { secret } = await createKey(
  store.db,
  { workspaceId: ws.id, scopes: ['codex.enterprise.analytics.read'] },
  { type: 'system', id: null },
);
const end = Math.floor(Date.now() / 1000);
const start = end - (Number(values.days) - 1) * 86_400;
const mb = (n: number) => Math.round(n / 2 ** 20);

for (const path of ['users.csv', 'users.json', 'usage.csv', 'code_reviews.csv']) {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let heapPeak = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 20);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${ws.id}/exports/${path}?start_time=${start}`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of r.body!) {
    bytes += chunk.length;
    for (const b of chunk as Uint8Array) if (b === 10) lines++;
  }
  clearInterval(timer);
  const s = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const rows = path.endsWith('.csv') ? lines - 1 : 'n/a';
  console.log(
    `${path}: ${rows} rows, ${mb(bytes)} MB in ${s.toFixed(1)} s, CPU ${((used.user + used.system) / 1e6).toFixed(1)} s ` +
      `(this process: server and client); RSS ${mb(base)} -> peak ${mb(peak)} MB, heap peak ${mb(heapPeak)} MB`,
  );
}
await app.close();
await store.close();

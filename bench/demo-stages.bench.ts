// Where a bulk-loaded `steward demo` day's CPU goes (decisions/0049), stage by stage on one thread:
// make the day's events (demoDay), the pipeline and the rows and rollups (prepareFreshEvents), the
// structured clone a worker thread's hand-over costs, and the write (storePreparedFresh, SQL and
// commit). CPU per event of each stage (process.cpuUsage around it; nothing else runs). The people,
// teams and keys come first through runDemo with one day (today), then `--days` older days are timed.
// Run: node --import tsx bench/demo-stages.bench.ts [--dialect sqlite|postgres] [--users 10000] [--days 3]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { runDemo } from '../src/app/demo/demo.service.js';
import { demoDay } from '../src/app/demo/demo-activity.js';
import { demoPeople } from '../src/app/demo/demo-people.js';
import { prepareFreshEvents, storePreparedFresh } from '../src/ingest/index.js';
import { cliActor } from '../src/cli/shared.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '3' },
  },
});
const users = Number(values.users);
const days = Number(values.days);
const store = await benchStore(values.dialect as DialectName, 'demo-stages');
const config = loadConfig({ env: {} });
const now = Date.now();
const s = await runDemo(store, config, { users, days: 1, seed: 1, now, archiveDays: 0 }, cliActor());
const emails = new Map(
  (await store.db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]),
);
const key = await store.db
  .selectFrom('api_keys')
  .select('id')
  .where('shared_collector', '=', 1)
  .executeTakeFirstOrThrow();
const principal = { workspaceId: s.workspaceId, userId: '', keyId: key.id, sharedCollector: true };
const ingest = { source: 'otlp' as const, hostName: 'otel-collector.demo', creditsPerUsd: 25, emails };
// Days before today (index `days` would be today, already filled).
const spec = { users, days: days + 1, seed: 1, now };
const { people } = demoPeople(spec);

const ms: Record<string, number> = { make: 0, prepare: 0, clone: 0, write: 0 };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const before = load();
let events = 0;
for (let index = 0; index < days; index++) {
  let t = cpu();
  const day = demoDay(spec, people, index, false);
  ms.make! += cpu() - t;
  t = cpu();
  const prepared = prepareFreshEvents(
    principal,
    day.events.map((event, i) => ({ index: i, event })),
    ingest,
  );
  ms.prepare! += cpu() - t;
  t = cpu();
  structuredClone(prepared);
  ms.clone! += cpu() - t;
  t = cpu();
  await storePreparedFresh(store.db, prepared);
  ms.write! += cpu() - t;
  events += day.events.length;
}
await store.close();
const per = (v: number) => Math.round((v * 10_000) / events) / 10;
console.log(
  JSON.stringify({
    dialect: values.dialect,
    users,
    days,
    events,
    cpu_us_per_event: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, per(v)])),
    load_before: before,
    load_after: load(),
  }),
);

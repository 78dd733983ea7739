// Where a bulk-loaded `steward demo` day's CPU goes (decisions/0049), stage by stage on one thread:
// make the day's events (demoDay), the pipeline and the rows and rollups (prepareFreshEvents), the
// structured clone a worker thread's hand-over costs, and the write (storePreparedFresh, SQL and
// commit). CPU per event of each stage (process.cpuUsage around it; nothing else runs). The people,
// teams and keys come first through runDemo with one day (today), then `--days` older days are timed.
// Run: node --import tsx bench/demo-stages.bench.ts [--dialect sqlite|postgres] [--users 10000] [--days 3]
import { parseArgs } from 'node:util';
import { demoDay } from '../src/app/demo/demo-activity.js';
import { prepareFreshEvents, storePreparedFresh } from '../src/ingest/index.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { cpuMs as cpu, demoDays, loadAverage as load } from './support/demo-days.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '3' },
  },
});
const users = Number(values.users);
const days = Number(values.days);
const { store, principal, ingest, spec, people } = await demoDays(
  values.dialect as DialectName,
  'demo-stages',
  users,
  days,
);

const ms: Record<string, number> = { make: 0, prepare: 0, clone: 0, write: 0 };
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

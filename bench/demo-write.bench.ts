// Where the write of a bulk-loaded `steward demo` day goes (decisions/0056), table by table: the
// people through runDemo with one day (today), then `--days` older days made and prepared
// (demoDay, prepareFreshEvents) untimed, and written in one transaction per day with a CPU timer
// around each table's insert. `--defer-indexes`: the fact tables' plain secondary indexes dropped
// first and built after (timed apart); `--cache-kib N`: SQLite's page cache for the load.
// Run: node --import tsx bench/demo-write.bench.ts [--dialect sqlite|postgres] [--days 3]
//        [--defer-indexes] [--cache-kib 524288]
import { parseArgs } from 'node:util';
import { demoDay } from '../src/app/demo/demo-activity.js';
import { prepareFreshEvents } from '../src/ingest/index.js';
import { FRESH_FACT_TABLES } from '../src/ingest/fresh-batch.repository.js';
import { markHelperThreads } from '../src/ingest/thread-kind.repository.js';
import { insertManyFlat } from '../src/platform/storage/bulk-insert.js';
import { createIndexes, dropIndexes, secondaryIndexes } from '../src/platform/storage/deferred-indexes.js';
import { limitCacheForBulk } from '../src/platform/storage/dialect.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { cpuMs as cpu, demoDays, loadAverage as load } from './support/demo-days.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '3' },
    'defer-indexes': { type: 'boolean', default: false },
    'cache-kib': { type: 'string' },
  },
});
const users = Number(values.users);
const days = Number(values.days);
const { store, principal, ingest, spec, people } = await demoDays(
  values.dialect as DialectName,
  'demo-write',
  users,
  days,
);
if (values['cache-kib']) await limitCacheForBulk(store.db, Number(values['cache-kib']));
const before = load();
// The store has today's facts already: the indexes are dropped here whatever tablesEmpty says.
const deferred = values['defer-indexes'] ? await secondaryIndexes(store.db, FRESH_FACT_TABLES) : [];
await dropIndexes(store.db, deferred);
const ms: Record<string, number> = {};
let events = 0;
let write = 0;
for (let index = 0; index < days; index++) {
  const day = demoDay(spec, people, index, false);
  const p = prepareFreshEvents(
    principal,
    day.events.map((event, i) => ({ index: i, event })),
    ingest,
  );
  events += day.events.length;
  const parts = p.parts!;
  const t0 = cpu();
  await store.db.transaction().execute(async (trx) => {
    for (const part of [...parts.facts, ...parts.rollups]) {
      const t = cpu();
      await insertManyFlat(trx, [part]);
      ms[part.spec.table] = (ms[part.spec.table] ?? 0) + cpu() - t;
    }
    await markHelperThreads(trx, parts.helperTurns);
  });
  write += cpu() - t0;
}
const t = cpu();
await createIndexes(store.db, deferred);
const build = cpu() - t;
await store.close();
const per = (v: number) => Math.round((v * 100_000) / events) / 100;
const tables = Object.entries(ms)
  .filter(([, v]) => per(v) >= 0.05)
  .sort((a, b) => b[1] - a[1]);
console.log(
  JSON.stringify({
    dialect: values.dialect,
    users,
    days,
    events,
    deferred: deferred.map((i) => i.name),
    cache_kib: values['cache-kib'] ?? null,
    cpu_us_per_event: {
      write: per(write),
      index_build: per(build),
      by_table: Object.fromEntries(tables.map(([k, v]) => [k, per(v)])),
    },
    load_before: before,
    load_after: load(),
  }),
);

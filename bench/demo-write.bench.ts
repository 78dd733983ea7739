// Where the write of a bulk-loaded `steward demo` day goes (decisions/0056), table by table: the
// people through runDemo with one day (today), then `--days` older days made and prepared
// (demoDay, prepareFreshEvents) untimed, and written in one transaction per day with a CPU timer
// around each table's insert. `--defer-indexes`: the fact tables' plain secondary indexes dropped
// first and built after (timed apart); `--cache-kib N`: SQLite's page cache for the load.
// Run: node --import tsx bench/demo-write.bench.ts [--dialect sqlite|postgres] [--days 3]
//        [--defer-indexes] [--cache-kib 524288]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { runDemo } from '../src/app/demo/demo.service.js';
import { demoDay } from '../src/app/demo/demo-activity.js';
import { demoPeople } from '../src/app/demo/demo-people.js';
import { prepareFreshEvents } from '../src/ingest/index.js';
import { FRESH_FACT_TABLES } from '../src/ingest/fresh-batch.repository.js';
import { markHelperThreads } from '../src/ingest/thread-kind.repository.js';
import { insertManyFlat } from '../src/platform/storage/bulk-insert.js';
import { createIndexes, dropIndexes, secondaryIndexes } from '../src/platform/storage/deferred-indexes.js';
import { limitCacheForBulk } from '../src/platform/storage/dialect.js';
import { cliActor } from '../src/cli/shared.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';

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
const store = await benchStore(values.dialect as DialectName, 'demo-write');
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
if (values['cache-kib']) await limitCacheForBulk(store.db, Number(values['cache-kib']));
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
// The store has today's facts already: the indexes are dropped here whatever tablesEmpty says.
const deferred = values['defer-indexes'] ? await secondaryIndexes(store.db, FRESH_FACT_TABLES) : [];
await dropIndexes(store.db, deferred);
const spec = { users, days: days + 1, seed: 1, now };
const { people } = demoPeople(spec);
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

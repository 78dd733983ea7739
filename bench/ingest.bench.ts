// OTLP ingest throughput: Codex-shaped payloads over real loopback HTTP into SQLite and PostgreSQL.
// Run: node --import tsx bench/ingest.bench.ts [--requests N] [--sessions-per-request S] [--format json|protobuf] [--dialect sqlite|postgres] [--concurrency N] [--writer-thread on|off] [--random-ids] [--synchronous normal|full]
// (--random-ids: conversation ids with random time bits instead of Codex's UUIDv7: the indexes' worst case.)
// (--search-indexer on: the compliance jobs run as in `serve`, so the search indexer works during the load;
//  its CPU is in the figure, and the indexer's lag at the end of the load is reported. --backlog N: N more
//  requests ingested first with no indexer, so that it starts the measured load behind by their records.)
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { configSchema } from '../src/config/schema.js';
import { buildApp } from '../src/app/app.js';
import { createRuntime } from '../src/app/runtime.js';
import { createKey } from '../src/access/keys.service.js';
import { addUser } from '../src/access/users.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { buildBodies, RECORDS_PER_SESSION } from './support/otlp-payloads.js';
import { benchStore } from './support/stores.js';
import { startComplianceJobs } from '../src/compliance/jobs.service.js';
import { indexedUpTo } from '../src/compliance/reads/search-index.repository.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    'sessions-per-request': { type: 'string', default: '10' },
    format: { type: 'string', default: 'protobuf' },
    dialect: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'writer-thread': { type: 'string', default: 'on' },
    'random-ids': { type: 'boolean', default: false },
    synchronous: { type: 'string', default: 'normal' },
    'search-indexer': { type: 'string', default: 'off' },
    backlog: { type: 'string', default: '0' },
  },
});
if (values.synchronous !== 'normal' && values.synchronous !== 'full')
  throw new Error('--synchronous must be normal or full (SQLite; config sqlite_synchronous)');
const REQUESTS = Number(values.requests);
const SPR = Number(values['sessions-per-request']);
const format = values.format as 'json' | 'protobuf';
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const contentType = format === 'json' ? 'application/json' : 'application/x-protobuf';

console.log(
  `building ${REQUESTS} ${format} bodies of ${SPR} sessions (${SPR * RECORDS_PER_SESSION} log records each) ...`,
);
const bodies = buildBodies(REQUESTS, SPR, 7, format, values['random-ids']);
const backlog =
  Number(values.backlog) > 0 ? buildBodies(Number(values.backlog), SPR, 8, format, values['random-ids']) : [];
const mb = bodies.reduce((s, b) => s + b.length, 0) / 1e6;

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'ingest', true, { synchronous: values.synchronous });
  const boot = await ensureBootstrapped(store.db);
  const keys: string[] = [];
  for (let u = 0; u < 20; u++) {
    await addUser(
      store.db,
      { workspaceId: boot.workspace.id, email: `dev${u}@bench.example` },
      { type: 'system', id: null },
    );
    keys.push(
      (
        await createKey(
          store.db,
          { workspaceId: boot.workspace.id, scopes: ['ingest.write'], userEmail: `dev${u}@bench.example` },
          { type: 'system', id: null },
        )
      ).secret,
    );
  }
  const runtime = createRuntime(store);
  const { app, ctx } = await buildApp({
    store,
    runtime,
    config: configSchema.parse({ ingest: { max_concurrent_batches: 64 } }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // As `steward serve` does: ingest writes on their own thread (SQLite; no-op on PostgreSQL).
  if (values['writer-thread'] !== 'off') await runtime.startWriterThread();
  const run = (b: Buffer[]) =>
    new Promise<{ ms: number; failures: number }>((resolve, reject) => {
      const w = new Worker(new URL('./support/load-client.mjs', import.meta.url), {
        workerData: { url, bodies: b, keys, concurrency: Number(values.concurrency), contentType },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  await run(bodies.slice(0, 20)); // warm-up (its sessions are then replayed below: duplicates are cheap)
  if (backlog.length) await run(backlog);
  const config = configSchema.parse({
    compliance: { checkpoint_interval_minutes: 0, retention: { interval_hours: 0 } },
  });
  const jobs =
    values['search-indexer'] === 'on'
      ? startComplianceJobs(store.db, config, app.log, {
          firstIndexDelayMs: 0,
          ingestBusy: () => ctx.state.inflightBatches > 0,
        })
      : null;
  const cpu0 = process.cpuUsage();
  const r = await run(bodies);
  const cpu = process.cpuUsage(cpu0);
  if (jobs) {
    const head = async () =>
      Number(
        (
          await store.db
            .selectFrom('compliance_heads')
            .select('seq')
            .where('workspace_id', '=', boot.workspace.id)
            .executeTakeFirst()
        )?.seq ?? 0,
      );
    const h = await head();
    const behind = h - (await indexedUpTo(store.db, boot.workspace.id));
    const t0 = performance.now();
    while ((await indexedUpTo(store.db, boot.workspace.id)) < h) await new Promise((res) => setTimeout(res, 20));
    console.log(
      `[${dialect}] search indexer during the load: ${behind} of ${h} compliance records not indexed when the load ended, caught up ${((performance.now() - t0) / 1000).toFixed(1)} s later`,
    );
    await jobs.stop();
  }
  const records = REQUESTS * SPR * RECORDS_PER_SESSION;
  const turns = await store.db
    .selectFrom('turns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const requests = await store.db
    .selectFrom('model_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(
    `[${dialect}] ${records} log records (${mb.toFixed(1)} MB ${format}) in ${(r.ms / 1000).toFixed(2)} s = ${Math.round(records / (r.ms / 1000))} records/s; ` +
      `${REQUESTS} requests, ${r.failures} failed; stored ${Number(turns.n)} turns, ${Number(requests.n)} model responses; ` +
      `CPU ${((cpu.user + cpu.system) / 1000 / REQUESTS).toFixed(1)} ms per request (all threads of this process: a figure less disturbed than wall time by other load on the machine)`,
  );
  // Replay: the same payloads again (exporter retries) must add nothing.
  const r2 = await run(bodies.slice(0, 100));
  const turns2 = await store.db
    .selectFrom('turns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(
    `[${dialect}] replay of 100 requests: ${Math.round((100 * SPR * RECORDS_PER_SESSION) / (r2.ms / 1000))} records/s, turns unchanged: ${Number(turns2.n) === Number(turns.n)}`,
  );
  // Freshness: one session posted, then the usage API asked until its turn shows (acknowledged -> visible).
  const owner = (
    await createKey(
      store.db,
      { workspaceId: boot.workspace.id, scopes: ['codex.enterprise.analytics.read'] },
      { type: 'system', id: null },
    )
  ).secret;
  const fresh: number[] = [];
  const one = buildBodies(30, 1, 99, format);
  for (const body of one) {
    const before = await turnsNow(url, boot.workspace.id, owner);
    const res = await fetch(`${url}/v1/logs`, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'content-type': contentType, authorization: `Bearer ${keys[0]}` },
    });
    const acked = performance.now();
    if (res.status !== 200) throw new Error(`ingest ${res.status}`);
    while ((await turnsNow(url, boot.workspace.id, owner)) === before)
      if (performance.now() - acked > 5000) throw new Error('not visible after 5 s');
    fresh.push(performance.now() - acked);
  }
  fresh.sort((a, b) => a - b);
  console.log(
    `[${dialect}] acknowledged -> visible in the usage API: p50 ${fresh[14].toFixed(1)} ms, max ${fresh[29].toFixed(1)} ms (30 posts; the write is committed before the 200)`,
  );
  await app.close();
  await runtime.stop();
  await store.close();
}

async function turnsNow(url: string, ws: string, key: string): Promise<number> {
  const r = await fetch(
    `${url}/v1/analytics/codex/workspaces/${ws}/usage?group=workspace&start_time=${Math.floor(Date.now() / 1000) - 89 * 86400}`,
    { headers: { authorization: `Bearer ${key}` } },
  );
  const body = (await r.json()) as { data: { totals: { turns: number } }[] };
  return body.data.reduce((s, row) => s + row.totals.turns, 0);
}

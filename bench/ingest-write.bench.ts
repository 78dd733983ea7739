// The ingest use-case without HTTP and one batch at a time: what one request costs this process
// and, on PostgreSQL, the database server (CPU of the pool's backends, read from /proc; Linux,
// database on this host). Steadier than bench/ingest.bench.ts on a shared machine, since it
// counts CPU rather than wall time; for comparing changes to the write path.
// Run: node --import tsx bench/ingest-write.bench.ts [--requests N] [--dialect sqlite|postgres] [--profile FILE]
// (--profile: a V8 CPU profile of the measured requests only, for Chrome DevTools.)
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createRuntime } from '../src/app/runtime.js';
import { ingestOtlpLogs } from '../src/ingest/otlp/otlp-ingest.service.js';
import { decodeProtobuf } from '../src/ingest/otlp/decode.js';
import { addUser } from '../src/access/users.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { buildBodies, RECORDS_PER_SESSION } from './support/otlp-payloads.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '300' }, dialect: { type: 'string' }, profile: { type: 'string' } },
});
const REQUESTS = Number(values.requests);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const bodies = buildBodies(REQUESTS + 20, 10, 7, 'protobuf');

// utime + stime in 1/100 s; undefined once the backend has gone (the pool closes idle connections).
const ticks = (pid: number): number | undefined => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
};

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'ingest_write');
  const boot = await ensureBootstrapped(store.db);
  const users: string[] = [];
  for (let u = 0; u < 20; u++)
    users.push(
      (
        await addUser(
          store.db,
          { workspaceId: boot.workspace.id, email: `dev${u}@bench.example` },
          { type: 'system', id: null },
        )
      ).id,
    );
  const ingest = createRuntime(store).ingest;
  const post = (i: number) =>
    ingestOtlpLogs(
      ingest,
      { workspaceId: boot.workspace.id, userId: users[i % 20], keyId: null, sharedCollector: false },
      decodeProtobuf(bodies[i]),
      25,
    );
  for (let i = 0; i < 20; i++) await post(i);
  // The pool's backends: hold all connections at once to learn their pids.
  let pids: number[] = [];
  if (dialect === 'postgres') {
    const rows = await Promise.all(
      [0, 1, 2, 3].map(() => sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(store.db)),
    );
    pids = [...new Set(rows.map((r) => Number(r.rows[0].pid)))];
  }
  const session = values.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const pg0 = pids.map(ticks);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 20; i < REQUESTS + 20; i++) await post(i);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(`${values.profile}.${dialect}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
  const pgMs = pids.reduce((s, p, i) => s + ((ticks(p) ?? pg0[i] ?? 0) - (pg0[i] ?? 0)), 0) * 10;
  console.log(
    `[${dialect}] ${REQUESTS} requests of ${10 * RECORDS_PER_SESSION} records one at a time: ${(ms / REQUESTS).toFixed(2)} ms each; ` +
      `this process ${((cpu.user + cpu.system) / 1000 / REQUESTS).toFixed(2)} ms CPU per request (${(cpu.system / 1000 / REQUESTS).toFixed(2)} of it in the kernel)` +
      (dialect === 'postgres'
        ? `, PostgreSQL backends ${(pgMs / REQUESTS).toFixed(2)} ms CPU per request (${pids.length} backends)`
        : ''),
  );
  await store.close();
}

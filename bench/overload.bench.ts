// Overload without client backoff: accepted OTLP batches/s as offered load grows (8 / 32 / 128 / 512
// connections that post again the moment an answer arrives, refused or not). The server is built as
// `steward serve` builds it (default config, info logs to a file, the writer on its own thread), so
// what a refusal costs (reading, authenticating, logging) is in the figure. The goal: accepted
// throughput flat as the offered load grows.
// Run: node --import tsx bench/overload.bench.ts [--dialect sqlite|postgres] [--connections 8,32,128,512]
//   [--seconds 10] [--sessions-per-request 1] [--format protobuf|json]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { configSchema } from '../src/config/schema.js';
import { buildApp } from '../src/app/app.js';
import { createRuntime } from '../src/app/runtime.js';
import { createKey } from '../src/access/keys.service.js';
import { addUser } from '../src/access/users.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { buildBodies } from './support/otlp-payloads.js';
import { benchStore, OUT } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string' },
    connections: { type: 'string', default: '8,32,128,512' },
    seconds: { type: 'string', default: '10' },
    'sessions-per-request': { type: 'string', default: '1' },
    format: { type: 'string', default: 'protobuf' },
  },
});
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const levels = values.connections.split(',').map(Number);
const seconds = Number(values.seconds);
const format = values.format as 'json' | 'protobuf';
const contentType = format === 'json' ? 'application/json' : 'application/x-protobuf';
// Unique sessions for every accepted batch of a run at ~1,500/s (a replayed body is a cheap duplicate).
const bodies = buildBodies(
  Math.ceil(1500 * seconds * levels.length),
  Number(values['sessions-per-request']),
  11,
  format,
);

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'overload', true);
  const boot = await ensureBootstrapped(store.db);
  const keys: string[] = [];
  const actor = { type: 'system', id: null } as const;
  for (let u = 0; u < 20; u++) {
    const email = `dev${u}@bench.example`;
    await addUser(store.db, { workspaceId: boot.workspace.id, email }, actor);
    keys.push(
      (await createKey(store.db, { workspaceId: boot.workspace.id, scopes: ['ingest.write'], userEmail: email }, actor))
        .secret,
    );
  }
  fs.mkdirSync(OUT, { recursive: true });
  const logFile = path.join(OUT, `overload-${dialect}.log`);
  const logStream = fs.createWriteStream(logFile);
  const runtime = createRuntime(store);
  const { app } = await buildApp({
    store,
    runtime,
    config: configSchema.parse({}),
    logger: { level: 'info', stream: logStream },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await runtime.startWriterThread();
  let offset = 0;
  for (const connections of levels) {
    const slice = bodies.slice(offset, offset + Math.ceil(1500 * seconds));
    offset += slice.length;
    const bytes0 = fs.statSync(logFile).size;
    const r = await new Promise<{ ms: number; status: Record<string, number>; p50: number; p99: number }>(
      (resolve, reject) => {
        const w = new Worker(new URL('./support/overload-client.mjs', import.meta.url), {
          workerData: { url, bodies: slice, keys, connections, seconds, contentType },
        });
        w.once('message', resolve);
        w.once('error', reject);
      },
    );
    await new Promise((res) => setTimeout(res, 300)); // let the log stream catch up
    const logBytes = fs.statSync(logFile).size - bytes0;
    const ok = r.status['200'] ?? 0;
    const refused = Object.entries(r.status)
      .filter(([s]) => s !== '200')
      .reduce((n, [, c]) => n + c, 0);
    const s = r.ms / 1000;
    console.log(
      `[${dialect}] ${String(connections).padStart(3)} connections: accepted ${Math.round(ok / s)} batches/s, ` +
        `refused ${Math.round(refused / s)}/s ${JSON.stringify(r.status)}; accepted p50 ${r.p50.toFixed(0)} ms ` +
        `p99 ${r.p99.toFixed(0)} ms; log ${(logBytes / 1e6).toFixed(1)} MB ` +
        `(${refused ? Math.round(logBytes / (ok + refused)) : 0} bytes/request); RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
    );
    await new Promise((res) => setTimeout(res, 1000)); // connections closed, the writer drained
  }
  await app.close();
  await runtime.stop();
  await store.close();
  logStream.end();
}

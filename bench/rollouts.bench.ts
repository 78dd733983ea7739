// Session files uploaded to the server: POST /v1/ingest/rollouts (what `steward push` and `collect`
// send) from many machines at once, over real loopback HTTP into SQLite and PostgreSQL. The bench
// corpus (bench/support/rollout-corpus.ts) is dealt out to the uploaders file by file; each uploader
// is its own machine (installation id) and user and sends its files' lines as push does, in bodies
// of about --request-mb, one after another; the uploaders run at once. Reported: MB/s of session
// files stored (the corpus's bytes over the wall time of the whole upload) and the CPU of this
// process (server and the writer thread; the uploaders run on a thread of their own and are
// included) per 100 MB; then that every response was stored once.
// Run: node --import tsx bench/rollouts.bench.ts [--mb 200] [--uploaders 16] [--request-mb 4] [--dialect sqlite|postgres]
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
import { readLineBatches, toWireLine } from '../src/session-files/adapter/lines.js';
import { corpusName, ensureCorpus } from './support/rollout-corpus.js';
import { benchStore, OUT } from './support/stores.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    seed: { type: 'string', default: '42' },
    uploaders: { type: 'string', default: '16' },
    'request-mb': { type: 'string', default: '4' },
    dialect: { type: 'string' },
  },
});
const UPLOADERS = Number(values.uploaders);
const REQUEST_BYTES = Number(values['request-mb']) * 1024 * 1024;
const target = Number(values.mb) * 1e6;
const dir = path.join(OUT, corpusName(target, Number(values.seed)));
const corpus = ensureCorpus(dir, target, Number(values.seed));
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];

function rolloutFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/^rollout-.*\.jsonl$/.test(e.name)) out.push(path.join(d, e.name));
  };
  walk(root);
  return out.sort();
}

// Each uploader's request bodies, as push builds them: a file's chunks in order, one chunk of a
// file per request, the chunks of short files sharing a request; the files are old, so final.
async function uploadBodies(files: string[], machine: number): Promise<string[]> {
  const bodies: string[] = [];
  const head = { host: `bench-${machine}`, installation_id: `bench-installation-${machine}` };
  let pending: object[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pending.length) bodies.push(JSON.stringify({ ...head, files: pending }));
    pending = [];
    pendingBytes = 0;
  };
  for (const f of files) {
    const st = fs.statSync(f);
    const chunks = [];
    for await (const b of readLineBatches(f, 0, 0, REQUEST_BYTES)) chunks.push(b);
    chunks.forEach((b, i) => {
      const entry = {
        path: f,
        offset: b.offset,
        line: b.line,
        lines: b.lines.map(toWireLine),
        ...(i === chunks.length - 1 ? { final: true } : {}),
        mtime_ms: st.mtimeMs,
        size: st.size,
      };
      if (chunks.length > 1) {
        flush();
        bodies.push(JSON.stringify({ ...head, files: [entry] }));
      } else {
        pending.push(entry);
        pendingBytes += b.approxBytes;
        if (pendingBytes >= REQUEST_BYTES) flush();
      }
    });
  }
  flush();
  return bodies;
}

const files = rolloutFiles(path.join(dir, 'sessions'));
const dealt = Array.from({ length: UPLOADERS }, (_, u) => files.filter((_, i) => i % UPLOADERS === u));
const bodies = await Promise.all(dealt.map((fs_, u) => uploadBodies(fs_, u)));
const requests = bodies.reduce((n, b) => n + b.length, 0);
const wireMb = bodies.reduce((n, b) => n + b.reduce((m, x) => m + x.length, 0), 0) / 1e6;
console.log(
  `corpus ${dir}: ${files.length} files, ${(corpus.bytes / 1e6).toFixed(1)} MB, ${corpus.responses} responses; ` +
    `${UPLOADERS} uploaders, ${requests} requests (${wireMb.toFixed(1)} MB of JSON bodies)`,
);

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'rollouts');
  const boot = await ensureBootstrapped(store.db);
  const keys: string[] = [];
  for (let u = 0; u < UPLOADERS; u++) {
    const email = `dev${u}@bench.example`;
    await addUser(store.db, { workspaceId: boot.workspace.id, email }, { type: 'system', id: null });
    const key = await createKey(
      store.db,
      { workspaceId: boot.workspace.id, scopes: ['ingest.write'], userEmail: email },
      { type: 'system', id: null },
    );
    keys.push(key.secret);
  }
  const runtime = createRuntime(store);
  const { app } = await buildApp({
    store,
    runtime,
    config: configSchema.parse({ ingest: { max_concurrent_batches: 64 } }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // As `steward serve` does: ingest writes on their own thread (SQLite; no-op on PostgreSQL).
  await runtime.startWriterThread();
  const cpu0 = process.cpuUsage();
  const r = await new Promise<{
    ms: number;
    failures: number;
    notStored: number;
    retries: number;
    firstFailure?: string;
  }>((resolve, reject) => {
    const w = new Worker(new URL('./support/rollouts-client.mjs', import.meta.url), {
      workerData: { url, uploaders: bodies.map((b, u) => ({ key: keys[u], bodies: b })) },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
  const cpu = process.cpuUsage(cpu0);
  if (r.firstFailure) console.log(`[${dialect}] first failed request: ${r.firstFailure}`);
  const stored = await store.db
    .selectFrom('model_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const s = r.ms / 1000;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(
    `[${dialect}] ${UPLOADERS} uploaders: ${(corpus.bytes / 1e6).toFixed(1)} MB of session files in ${s.toFixed(2)} s = ` +
      `${(corpus.bytes / 1e6 / s).toFixed(1)} MB/s; CPU ${((cpuS * 1e8) / corpus.bytes).toFixed(2)} s per 100 MB ` +
      `(${cpuS.toFixed(1)} s, all threads of this process); ${requests} requests (${r.retries} retried), ${r.failures} failed, ` +
      `${r.notStored} file chunks not stored; ${Number(stored.n)} of ${corpus.responses} responses stored` +
      (Number(stored.n) === corpus.responses ? ' (all, once)' : ' (MISMATCH)'),
  );
  await app.close();
  await runtime.stop();
  await store.close();
}

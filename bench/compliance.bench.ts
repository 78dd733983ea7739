// Compliance speed: (1) ingest overhead of the compliance hook (content policy + DLP, CODEX_LOG /
// CODEX_SECURITY_LOG records, canonical JSON, two SHA-256 per record, chain rows) against the same
// ingest without it; (2) export and log-file download throughput with memory sampled as they run;
// (3) chain verification throughput, in process and as `steward compliance verify` (compiled to
// bench/out/dist when src/ is newer).
// Run: node --import tsx --expose-gc bench/compliance.bench.ts [--dialect sqlite|postgres]
//        [--records 200000] [--bodies 300] [--only ingest|read] [--reuse (keep the last chain)]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { isDrop, type NormalizedEvent } from '../src/core/events.js';
import { canonicalJson, GENESIS_HASH, recordHash, sha256hex, type RecordDraft } from '../src/core/compliance.js';
import { codexLogDraft } from '../src/core/compliance-records.js';
import { DEFAULT_CONTENT_POLICY } from '../src/core/content-policy.js';
import { runPipeline } from '../src/ingest/pipeline/run.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import { addUser } from '../src/access/users.service.js';
import { exportChunks } from '../src/compliance/reads/export.service.js';
import { GZIP_BLOCK_BYTES, gzipChunks } from '../src/platform/workers/parallel-gzip.js';
import { verifyChain } from '../src/compliance/verify/verify.service.js';
import { createRuntime } from '../src/app/runtime.js';
import { ingestEvents } from '../src/ingest/ingest.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { decodeProtobuf } from '../src/ingest/otlp/decode.js';
import { normalizeRecord } from '../src/ingest/otlp/normalize.js';
import type { DialectName, Store } from '../src/platform/storage/database.js';
import { appendRecords } from '../src/compliance/chain/chain.repository.js';
import { RECORDS_PER_SESSION, session } from './support/otlp-payloads.js';
import { ExportLogsServiceRequest } from '../src/ingest/otlp/schema.js';
import { newId } from '../src/core/ids.js';
import { prng } from './support/prng.js';
import { benchStore, OUT, PG_URL } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string' },
    records: { type: 'string', default: '200000' },
    bodies: { type: 'string', default: '300' },
    only: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const RECORDS = Number(values.records);
const BODIES = Number(values.bodies);
const SYSTEM = { type: 'system' as const, id: null };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// Memory while `fn` runs: peak RSS and heap above the level before it.
async function measured<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; peakHeapMb: number; peakRssMb: number }> {
  global.gc?.();
  const base = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const tick = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed - base.heapUsed);
    rss = Math.max(rss, m.rss - base.rss);
  }, 20);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  clearInterval(tick);
  return { value, ms, peakHeapMb: heap / 1e6, peakRssMb: rss / 1e6 };
}

// Codex-shaped protobuf bodies as live traffic looks: sessions in time order (the last hour) with
// time-ordered conversation ids (Codex's are UUIDv7), 10 sessions of 21 log records per request.
function liveBodies(count: number): Buffer[] {
  const rnd = prng(11);
  const start = Date.now() - 3_600_000;
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const resourceLogs = [];
    for (let j = 0; j < 10; j++) {
      const sess = session(rnd, start + (i * 10 + j) * 500);
      const conv = newId();
      for (const sl of sess.scopeLogs)
        for (const r of sl.logRecords) {
          r.traceId = Buffer.from(r.traceId ?? '', 'hex');
          r.spanId = Buffer.from(r.spanId ?? '', 'hex');
          if (r.body === null) delete r.body;
          for (const kv of r.attributes) {
            if (kv.key === 'conversation.id') kv.value.stringValue = conv;
            if (kv.key === 'call_id') kv.value.stringValue = `call_${conv}`;
          }
        }
      resourceLogs.push(sess);
    }
    bodies.push(
      Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject({ resourceLogs })).finish()),
    );
  }
  return bodies;
}

// Decode, normalize and ingest each body (the receiver's work minus HTTP) with and without the
// compliance hook; the same bodies into fresh stores, best of two runs each.
async function ingestOverhead(dialect: DialectName) {
  const bodies = liveBodies(BODIES);
  const logRecords = BODIES * 10 * RECORDS_PER_SESSION;
  const run = async (withCompliance: boolean) => {
    const store = await benchStore(dialect, `compliance_ingest_${withCompliance ? 'on' : 'off'}`);
    const ingest = createRuntime(store).ingest;
    const boot = await ensureBootstrapped(store.db);
    await addUser(store.db, { workspaceId: boot.workspace.id, email: 'dev@bench.example' }, SYSTEM);
    const user = (
      await store.db.selectFrom('users').select('id').where('email', '=', 'dev@bench.example').executeTakeFirstOrThrow()
    ).id;
    const principal = { workspaceId: boot.workspace.id, userId: user, keyId: null, sharedCollector: false };
    const t0 = performance.now();
    for (const body of bodies) {
      const inputs: { index: number; event: NormalizedEvent }[] = [];
      for (const r of decodeProtobuf(body).records) {
        const n = normalizeRecord(r);
        if (n && !isDrop(n)) inputs.push({ index: r.index, event: n });
      }
      await ingestEvents(ingest, principal, inputs, {
        source: 'otlp',
        creditsPerUsd: 25,
        recordCompliance: withCompliance,
        requestMeta: { appVersion: '0.169.0' },
      });
    }
    const ms = performance.now() - t0;
    const chain = await store.db
      .selectFrom('compliance_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await store.close();
    return { ms, chain: Number(chain.n) };
  };
  await run(true); // warm-up (JIT, file system)
  const res: { on: number[]; off: number[]; chain: number } = { on: [], off: [], chain: 0 };
  for (let i = 0; i < 2; i++) {
    const off = await run(false);
    const on = await run(true);
    res.off.push(off.ms);
    res.on.push(on.ms);
    res.chain = on.chain;
  }
  const off = Math.min(...res.off);
  const on = Math.min(...res.on);
  console.log(
    `[${dialect}] ingest ${fmt(logRecords)} OTLP log records in ${BODIES} batches: without compliance ${fmt(logRecords / (off / 1000))} records/s, ` +
      `with ${fmt(logRecords / (on / 1000))} records/s (${fmt(res.chain)} chain records): compliance adds ${(((on - off) / on) * 100).toFixed(1)}% of ingest time`,
  );
  // The CPU part of that: DLP + content policy (the redact step) and canonical JSON + two SHA-256
  // per record, timed alone on the same events.
  const principal = { workspaceId: 'w', userId: 'u', keyId: null, sharedCollector: false };
  const decodedAll = bodies.map((b) =>
    decodeProtobuf(b)
      .records.map((r) => ({ index: r.index, event: normalizeRecord(r) }))
      .filter((x): x is { index: number; event: NormalizedEvent } => !!x.event && !isDrop(x.event)),
  );
  const env = { source: 'otlp' as const, creditsPerUsd: 25, userIdForEmail: () => undefined };
  const pipe = (policy?: typeof DEFAULT_CONTENT_POLICY) => {
    const t0 = performance.now();
    const out = decodedAll.map(
      (d) =>
        runPipeline(
          d.map((x) => ({ index: x.index, event: { ...x.event } })),
          principal,
          { ...env, contentPolicy: policy },
        ).events,
    );
    return { ms: performance.now() - t0, out };
  };
  pipe(DEFAULT_CONTENT_POLICY);
  const plain = Math.min(pipe().ms, pipe().ms);
  const withDlp = pipe(DEFAULT_CONTENT_POLICY);
  const dlpMs = Math.max(0, Math.min(withDlp.ms, pipe(DEFAULT_CONTENT_POLICY).ms) - plain);
  const hashing = () => {
    const t1 = performance.now();
    let prev = GENESIS_HASH;
    for (const events of withDlp.out)
      for (const e of events) {
        const content = canonicalJson(codexLogDraft(e, { keyId: null }).content);
        const r = {
          seq: 1,
          id: newId(),
          workspace_id: 'w',
          event_type: 'CODEX_LOG',
          ts: e.event.ts,
          recorded_at: Date.now(),
          user_id: 'u',
          thread_id: e.event.threadId,
          content_sha256: sha256hex(content),
        };
        prev = recordHash(prev, r);
      }
    return performance.now() - t1;
  };
  hashing();
  const hashMs = Math.min(hashing(), hashing());
  console.log(
    `[${dialect}]   of which DLP + content policy ${dlpMs.toFixed(0)} ms and building + hashing records ${hashMs.toFixed(0)} ms = ${(((dlpMs + hashMs) / on) * 100).toFixed(1)}% of ingest time`,
  );
}

// A workspace chain of `count` records shaped like real traffic: prompts (~0.5 KB), responses with
// assistant text (~2 KB), tool calls with output, audit and auth records.
async function fillChain(store: Store, ws: string, count: number) {
  const rnd = prng(5);
  const words =
    'the quick brown fox jumps over a lazy dog while codex runs tests and fixes the failing build in src'.split(' ');
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const t0 = performance.now();
  for (let i = 0; i < count; i += 1000) {
    const drafts: RecordDraft[] = [];
    for (let k = i; k < Math.min(count, i + 1000); k++) {
      const kind = k % 4;
      const content =
        kind === 0
          ? { kind: 'prompt', thread_id: `th-${k >> 4}`, prompt: { text: text(90), length: 500, policy: 'store' } }
          : kind === 1
            ? {
                kind: 'response',
                thread_id: `th-${k >> 4}`,
                response: {
                  text: text(350),
                  usage: { input_tokens: 2000, cached_input_tokens: 1500, output_tokens: 400 },
                },
              }
            : kind === 2
              ? {
                  kind: 'tool_call',
                  thread_id: `th-${k >> 4}`,
                  tool: {
                    name: 'exec_command',
                    arguments: '{"cmd":"npm test"}',
                    output: text(120),
                    exit_status: 0,
                    duration_ms: 1234,
                  },
                }
              : { action: 'key.first_used', actor: { type: 'key', id: `k${k}` }, target: null };
      drafts.push({
        eventType: kind === 3 ? 'AUDIT_LOG' : 'CODEX_LOG',
        ts: Date.now(),
        userId: `u${k % 50}`,
        threadId: `th-${k >> 4}`,
        content,
      });
    }
    await store.db.transaction().execute((trx) => appendRecords(trx, ws, drafts));
  }
  return performance.now() - t0;
}

async function readPaths(dialect: DialectName) {
  // --reuse: keep the chain from the previous run (reads only; filling takes a while).
  const store = await benchStore(dialect, 'compliance_read', !values.reuse);
  const boot = await ensureBootstrapped(store.db);
  const ws = boot.workspace.id;
  if (!store.reused) {
    const fillMs = await fillChain(store, ws, RECORDS);
    console.log(
      `[${dialect}] appended ${fmt(RECORDS)} records in ${(fillMs / 1000).toFixed(1)} s = ${fmt(RECORDS / (fillMs / 1000))} records/s`,
    );
  }

  // Export to a gzip file, as `steward compliance export --gzip` writes it (level 3, parallel-gzip.ts).
  const file = path.join(OUT, `compliance-export-${dialect}.jsonl.gz`);
  const counter = { records: 0 };
  const ex = await measured(() =>
    pipeline(
      Readable.from(gzipChunks(exportChunks(store.db, ws, {}, counter, GZIP_BLOCK_BYTES), { level: 3 }), {
        highWaterMark: 1,
      }),
      fs.createWriteStream(file),
    ),
  );
  let exported = 0;
  for await (const chunk of fs.createReadStream(file).pipe(zlib.createGunzip()) as AsyncIterable<Buffer>)
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) exported++;
  if (exported !== counter.records)
    throw new Error(`the export file holds ${exported} lines for ${counter.records} records`);
  console.log(
    `[${dialect}] export ${fmt(counter.records)} records to gzip JSONL (${(fs.statSync(file).size / 1e6).toFixed(1)} MB): ${fmt(counter.records / (ex.ms / 1000))} records/s, peak heap +${ex.peakHeapMb.toFixed(0)} MB, peak RSS +${ex.peakRssMb.toFixed(0)} MB`,
  );
  fs.rmSync(file);

  // Log-file download over real HTTP: one file holding every CODEX_LOG record.
  const { app } = await buildApp({
    store,
    config: configSchema.parse({ compliance: { log_file_window_seconds: 86_400 } }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const key = (await createKey(store.db, { workspaceId: ws, scopes: ['codex.enterprise.compliance.read'] }, SYSTEM))
    .secret;
  const getJson = (p: string) =>
    fetch(url + p, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as Promise<any>);
  const files = (await getJson(`/v1/compliance/workspaces/${ws}/logs?event_type=CODEX_LOG&limit=1000`)).data;
  let records = 0;
  for (const gzip of [false, true]) {
    const dl = await measured(
      () =>
        new Promise<{ lines: number; bytes: number; ms: number }>((resolve, reject) => {
          const w = new Worker(new URL('./support/download-client.mjs', import.meta.url), {
            workerData: { urls: files.map((f: { url: string }) => url + f.url), key, gzip },
          });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    );
    if (!gzip) records = dl.value.lines;
    console.log(
      `[${dialect}] log-file download${gzip ? ` (gzip, ${(dl.value.bytes / 1e6).toFixed(1)} MB)` : ''}: ${fmt(records)} records in ${files.length} file(s): ${fmt(records / (dl.ms / 1000))} records/s, server peak heap +${dl.peakHeapMb.toFixed(0)} MB, peak RSS +${dl.peakRssMb.toFixed(0)} MB`,
    );
  }
  await app.close();

  const v1 = await measured(() => verifyChain(store.db, ws, { store, workers: 1 }));
  console.log(`[${dialect}] verify, one thread: ${fmt(v1.value.records / (v1.ms / 1000))} records/s`);
  const v = await measured(() => verifyChain(store.db, ws, { store }));
  console.log(
    `[${dialect}] verify ${fmt(v.value.records)} records (ok=${v.value.ok}), ${os.availableParallelism()} checkers (tsx, in process): ${fmt(v.value.records / (v.ms / 1000))} records/s, peak heap +${v.peakHeapMb.toFixed(0)} MB`,
  );
  await store.close();

  // What an operator runs: the compiled CLI, `steward compliance verify`, process start included.
  const dist = path.join(OUT, 'dist');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...fs
        .readdirSync(dir, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)),
    );
  const built = fs.existsSync(path.join(dist, 'cli', 'main.js'))
    ? fs.statSync(path.join(dist, 'cli', 'main.js')).mtimeMs
    : 0;
  if (built < newest('src')) {
    try {
      execFileSync(
        process.execPath,
        [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--outDir', dist],
        { stdio: 'inherit' },
      );
    } catch {
      console.log('  (tsc reported errors; timing the JavaScript it emitted anyway)');
    }
  }
  let storeArgs: string[];
  if (dialect === 'sqlite') {
    const dir = path.join(OUT, 'cli-sqlite');
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(dir, 'steward.db'), { force: true });
    fs.symlinkSync(path.join(OUT, 'compliance_read.db'), path.join(dir, 'steward.db'));
    storeArgs = ['--data', dir];
  } else {
    const u = new URL(PG_URL);
    u.searchParams.set('options', '-c search_path=bench_compliance_read');
    storeArgs = ['--database-url', u.toString()];
  }
  const t0 = performance.now();
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(pathToFileURL(path.join(dist, 'cli', 'main.js')).href)}).then((m) => m.main(['node', 'steward', ...process.argv.slice(1)]))`,
      '--',
      'compliance',
      'verify',
      '--json',
      ...storeArgs,
    ],
    { encoding: 'utf8', cwd: OUT },
  );
  const cliMs = performance.now() - t0;
  const rep = JSON.parse(out.trim().split('\n').pop()!);
  console.log(
    `[${dialect}] steward compliance verify (compiled CLI, ${os.availableParallelism()} checkers): ${fmt(rep.records)} records (ok=${rep.ok}) in ${(cliMs / 1000).toFixed(2)} s wall = ${fmt(rep.records / (cliMs / 1000))} records/s (${fmt(rep.records / (rep.duration_ms / 1000))} records/s inside verify)`,
  );
}

for (const dialect of dialects) {
  if (values.only !== 'read') await ingestOverhead(dialect);
  if (values.only !== 'ingest') await readPaths(dialect);
}

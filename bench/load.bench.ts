// The load harness's long run (issue 15): OTLP ingest at 2x the ingest target for a given time
// against a real `steward serve`, with autocannon (no backoff) and with exporters that back off on
// 429/503 + Retry-After; status counts, acknowledgement latency, the server's RSS every few seconds,
// and the API's totals against the acknowledged batches. Needs `npm run build` (runs bin/steward.js).
//   node --import tsx bench/load.bench.ts [--dialects sqlite,postgres] [--modes none,backoff]
//     [--seconds 600] [--factor 2] [--connections 256] [--exporters 64] [--sample-seconds 5] [--json FILE]
//     [--heap] (the server's V8 heap and external memory sampled with its RSS, from /metrics)
//     [--heap-snapshots DIR --snapshot-at 60,240] (heap snapshots of the server into DIR at those seconds)
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRun, type LoadResult } from '../test/e2e/support/load.js';
import type { Dialect } from '../test/e2e/support/steward.js';

// The ingest targets, records/s (issue 2; BENCHMARKS.md "OTLP ingest").
const TARGET: Record<Dialect, number> = { sqlite: 50_000, postgres: 20_000 };

const { values } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    modes: { type: 'string', default: 'none,backoff' },
    seconds: { type: 'string', default: '600' },
    factor: { type: 'string', default: '2' },
    connections: { type: 'string', default: '256' },
    exporters: { type: 'string', default: '64' },
    'sample-seconds': { type: 'string', default: '5' },
    json: { type: 'string' },
    heap: { type: 'boolean', default: false },
    'heap-snapshots': { type: 'string' },
    'snapshot-at': { type: 'string', default: '' },
  },
});
const results: LoadResult[] = [];
const heapTrace = (r: LoadResult) =>
  r.rss.samples
    .map((x) => `${x.s.toFixed(0)}s ${x.mb.toFixed(0)}/${x.heapMb?.toFixed(0)}/${x.externalMb?.toFixed(0)}`)
    .join(' ');
for (const dialect of values.dialects.split(',') as Dialect[])
  for (const mode of values.modes.split(',')) {
    const backoff = mode === 'backoff';
    const started = new Date().toISOString();
    const r = await loadRun({
      dialect,
      backoff,
      seconds: Number(values.seconds),
      recordsPerSecond: TARGET[dialect] * Number(values.factor),
      connections: Number(backoff ? values.exporters : values.connections),
      sampleMs: Number(values['sample-seconds']) * 1000,
      heapSamples: values.heap,
      ...(values['heap-snapshots']
        ? {
            serverEnv: {
              NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${values['heap-snapshots']}`,
            },
            signalAt: values['snapshot-at'].split(',').filter(Boolean).map(Number),
          }
        : {}),
    });
    results.push(r);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(results, null, 2));
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
    console.log(
      `${started} ${dialect} ${backoff ? 'backoff' : 'no backoff'}: offered ${r.offered.recordsPerSecond} records/s ` +
        `(${r.offered.batchesPerSecond} batches/s) for ${r.seconds.toFixed(0)} s; answers ${JSON.stringify(r.status)}; ` +
        `5xx ${r.fiveHundreds} (refusals without Retry-After ${r.refusalsWithoutRetryAfter}); ` +
        `accepted ${f(r.accepted.recordsPerSecond)} records/s; ack ms p50 ${f(r.ackMs.p50)} p99 ${f(r.ackMs.p99)} max ${f(r.ackMs.max)}` +
        `; server ack ms (received -> acked, its histogram) p50 ${f(r.serverAckMs.p50)} p99 ${f(r.serverAckMs.p99)}` +
        `${r.serverAckMs.over ? ' (past its last bucket: at least)' : ''} of ${r.serverAckMs.acks} acks` +
        `; server event-loop delay ms p50 ${f(r.eventLoopMs.p50)} p99 ${f(r.eventLoopMs.p99)} max ${f(r.eventLoopMs.max)}` +
        (r.batchMs
          ? `; batch ms (produced -> acked) p50 ${f(r.batchMs.p50)} p99 ${f(r.batchMs.p99)}; dropped ${r.dropped}, unsent ${r.unsent}`
          : `; left unanswered on closed connections ${r.orphaned}`) +
        `; server CPU ${r.cpu.seconds.toFixed(1)} s = ${r.cpu.msPerRequest.toFixed(1)} ms per answer, ${r.cpu.msPerAck.toFixed(1)} ms per ack` +
        `; RSS after ${r.rss.warmupSeconds} s warm-up: first ${f(r.rss.firstMb)} max ${f(r.rss.maxMb)} last ${f(r.rss.lastMb)} MB, ` +
        `slope ${r.rss.slopeMbPerMin.toFixed(2)} MB/min; ` +
        (values.heap ? `RSS/heap/external MB by second ${heapTrace(r)}; ` : '') +
        `load average ${r.rss.load.min}-${r.rss.load.max}; sessions acked ${r.sessions.acked} stored ${r.sessions.stored} ` +
        `(unanswered ${r.sessions.unanswered}); tokens expected ${JSON.stringify(r.tokens.expected)} got ${JSON.stringify(r.tokens.got)}`,
    );
  }

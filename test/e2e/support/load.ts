// The load harness (issue 15): a real `steward serve` (the compiled dist/) fed OTLP protobuf at a
// fixed offered rate for a given time, either by autocannon (no backoff: a refused batch is
// dropped and the connection sends the next on schedule) or by exporters that back off on 429/503
// and Retry-After (backoff-client.ts). The server's RSS is sampled from /proc meanwhile. Then the
// Analytics API must hold exactly the tokens of the acknowledged batches (plus at most the ones
// left without an answer when the run stopped): nothing acknowledged lost, nothing doubled.
import { otlpStream } from '../../../bench/support/otlp-stream.js';
import { backoffRun } from './backoff-client.js';
import { fixedRateRun } from './fixed-rate-client.js';
import { histogramQuantile, readHistogram } from './prom-histogram.js';
import { readFileSync } from 'node:fs';
import { rssOf, startSteward, type Dialect } from './steward.js';

export interface LoadOptions {
  dialect: Dialect;
  seconds: number;
  /** Offered OTLP records per second (the ingest target is 50,000 on SQLite, 20,000 on PostgreSQL). */
  recordsPerSecond: number;
  backoff: boolean;
  /** autocannon's connections, or the number of exporters when backing off. */
  connections: number;
  sessionsPerBody?: number;
  sampleMs?: number;
  /** RSS samples before this are start-up and warm-up, left out of the slope. Default 20 % of the run, at most 60 s. */
  warmupSeconds?: number;
  timeoutSeconds?: number;
  log?: (line: string) => void;
  /** Added to the server's environment (e.g. NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2). */
  serverEnv?: Record<string, string>;
  /**
   * Also sample the server's V8 heap (used) and external memory from /metrics with each RSS sample.
   * Each scrape resets the event-loop delay histogram, so eventLoopMs then covers the last interval only.
   */
  heapSamples?: boolean;
  /** Seconds into the run at which the server is sent SIGUSR2 (with serverEnv's --heapsnapshot-signal). */
  signalAt?: number[];
}

export interface LoadResult {
  dialect: Dialect;
  backoff: boolean;
  seconds: number;
  offered: { batchesPerSecond: number; recordsPerSecond: number };
  /** Requests answered, by status; -1 = no answer (connection closed or refused), timeout = none within the timeout. */
  status: Record<string, number>;
  refusalsWithoutRetryAfter: number;
  fiveHundreds: number;
  accepted: { batches: number; recordsPerSecond: number };
  /** One acknowledged request's latency, ms (sent -> 200). */
  ackMs: { p50: number; p99: number; max: number };
  /**
   * The server's own: request received -> acknowledgement sent (steward_ingest_ack_seconds, estimated
   * from its buckets; `over` = past its last finite bucket, the value a lower bound), and how many it
   * acknowledged (a client that gave up never saw some of them).
   */
  serverAckMs: { p50: number; p99: number; over: boolean; acks: number };
  /**
   * The server's event-loop delay over the run (nodejs_eventloop_lag_*, reset by a scrape at the
   * start): how long a request that has arrived may wait before the server's thread reads it, which
   * the server's ack figure, timed from the request event, does not include.
   */
  eventLoopMs: { p50: number; p99: number; max: number };
  /** With backoff: produced -> acknowledged, queueing and retries included. */
  batchMs?: { p50: number; p99: number; max: number };
  /** Without backoff: requests left unanswered on a connection that closed or failed (among the unanswered). */
  orphaned?: number;
  /** With backoff: batches the exporters dropped (queue full) or never sent before the end. */
  dropped?: number;
  unsent?: number;
  rss: LoadRss;
  /** The serve process's CPU time (all its threads) over the run, per request answered and per acknowledged batch. */
  cpu: { seconds: number; msPerRequest: number; msPerAck: number };
  sessions: { acked: number; stored: number; unanswered: number };
  tokens: {
    expected: { input: number; cached: number; output: number };
    got: { input: number; cached: number; output: number };
  };
}

export interface LoadRss {
  /** Seconds since the start, the server's RSS, the machine's 1-minute load average. */
  samples: { s: number; mb: number; load: number; heapMb?: number; externalMb?: number }[];
  warmupSeconds: number;
  /** After warm-up. */
  firstMb: number;
  maxMb: number;
  lastMb: number;
  slopeMbPerMin: number;
  load: { min: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function loadRun(o: LoadOptions): Promise<LoadResult> {
  const sessionsPerBody = o.sessionsPerBody ?? 10;
  const stream = otlpStream(sessionsPerBody, 2026);
  const batchesPerSecond = Math.max(1, Math.round(o.recordsPerSecond / stream.recordsPerBody));
  const timeoutMs = (o.timeoutSeconds ?? 10) * 1000;
  const s = await startSteward({ dialect: o.dialect, startTimeoutMs: 60_000, env: o.serverEnv });
  try {
    const keys: string[] = [];
    for (let u = 0; u < 4; u++) {
      await s.cli(['users', 'add', `dev${u}@load.example`]);
      keys.push((await s.cli(['keys', 'create', '--scope', 'ingest.write', '--user', `dev${u}@load.example`])).secret);
    }
    const status: Record<string, number> = {};
    const ackRaw: number[] = [];
    let refusalsWithoutRetryAfter = 0;
    const count = (code: number, retryAfter: string | undefined, ms: number) => {
      const k = code === -2 ? 'timeout' : String(code);
      status[k] = (status[k] ?? 0) + 1;
      if (code === 200) ackRaw.push(ms);
      else if ((code === 429 || code === 503) && !retryAfter) refusalsWithoutRetryAfter++;
    };
    const samples: LoadRss['samples'] = [];
    const cpu0 = cpuSeconds(s.pid);
    await s.fetch('/metrics'); // resets the event-loop delay histogram
    const t0 = performance.now();
    const sampler = setInterval(() => {
      const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
      const sample = { s: (performance.now() - t0) / 1000, mb: rssOf(s.pid).rss / 2 ** 20, load };
      samples.push(sample);
      if (o.heapSamples)
        void s
          .fetch('/metrics')
          .then((r) => r.text())
          .then((text) => {
            const g = (name: string) => Number(new RegExp(`^steward_${name} (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
            Object.assign(sample, {
              heapMb: g('nodejs_heap_size_used_bytes'),
              externalMb: g('nodejs_external_memory_bytes'),
            });
          })
          .catch(() => undefined);
    }, o.sampleMs ?? 5000);
    const signals = (o.signalAt ?? []).map((sec) => setTimeout(() => process.kill(s.pid, 'SIGUSR2'), sec * 1000));
    let acked = 0;
    let unanswered = 0;
    let extra: Pick<LoadResult, 'batchMs' | 'dropped' | 'unsent' | 'orphaned'> = {};
    try {
      if (o.backoff) {
        const r = await backoffRun({
          url: s.url,
          keys,
          exporters: o.connections,
          rate: batchesPerSecond,
          seconds: o.seconds,
          queue: Math.max(1, Math.floor(2048 / stream.recordsPerBody)),
          timeoutMs,
          body: () => stream.next(),
          onStatus: count,
        });
        acked = r.acked;
        unanswered = r.maybeStored;
        extra = { batchMs: quantiles(r.batchMs), dropped: r.dropped, unsent: r.unsent };
      } else {
        const r = await fixedRateRun({
          url: s.url,
          keys,
          connections: o.connections,
          rate: batchesPerSecond,
          seconds: o.seconds,
          timeoutMs,
          body: () => stream.next(),
          onStatus: count,
        });
        const answered = Object.values(status).reduce((a, b) => a + b, 0);
        // Errors are timeouts, or connections the server closed before answering (a refusal of a
        // body over 64 KiB closes the connection, decisions/0028; the client may see the reset first).
        if (r.timeouts) status.timeout = r.timeouts;
        if (r.errors - r.timeouts) status['-1'] = r.errors - r.timeouts;
        acked = status['200'] ?? 0;
        // Built and sent but not answered (timed out, or in flight when the run stopped): maybe stored.
        unanswered = Math.max(0, r.sent - answered);
        extra = { orphaned: r.orphaned };
      }
    } finally {
      clearInterval(sampler);
      for (const t of signals) clearTimeout(t);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(s.pid) - cpu0;
    const answeredAll = Object.entries(status)
      .filter(([c]) => Number(c) > 0)
      .reduce((n, [, v]) => n + v, 0);
    const eventLoopMs = await eventLoopDelay(s);
    const got = await settledTokens(s);
    const serverAckMs = await serverAcks(s);
    const stored = Math.round(got.input / stream.sessionTokens.input);
    const ackedSessions = acked * sessionsPerBody;
    const per = stream.sessionTokens;
    return {
      dialect: o.dialect,
      backoff: o.backoff,
      seconds: elapsed,
      offered: { batchesPerSecond, recordsPerSecond: batchesPerSecond * stream.recordsPerBody },
      status,
      refusalsWithoutRetryAfter,
      fiveHundreds: Object.entries(status)
        .filter(([c]) => Number(c) >= 500)
        .reduce((n, [, v]) => n + v, 0),
      accepted: { batches: acked, recordsPerSecond: (acked * stream.recordsPerBody) / elapsed },
      ackMs: quantiles(ackRaw),
      serverAckMs,
      eventLoopMs,
      ...extra,
      rss: rssSummary(samples, o.warmupSeconds ?? Math.min(60, o.seconds * 0.2)),
      cpu: { seconds: cpu, msPerRequest: (cpu * 1000) / answeredAll, msPerAck: (cpu * 1000) / acked },
      sessions: { acked: ackedSessions, stored, unanswered: unanswered * sessionsPerBody },
      tokens: {
        expected: {
          input: per.input * ackedSessions,
          cached: per.cached * ackedSessions,
          output: per.output * ackedSessions,
        },
        got,
      },
    };
  } finally {
    await s.cleanup();
  }
}

// The workspace's token totals once two reads a second apart agree (the last acknowledged
// batches are committed; an unanswered one may still be in the writer).
async function settledTokens(s: Awaited<ReturnType<typeof startSteward>>) {
  let last = '';
  for (let i = 0; i < 30; i++) {
    const r = await s.fetch(`/v1/analytics/codex/workspaces/${s.workspaceId}/usage?group=workspace&limit=1000`);
    const page = (await r.json()) as any;
    const got = { input: 0, cached: 0, output: 0 };
    for (const row of page.data) {
      got.input += row.totals.uncached_text_input_tokens + row.totals.cached_text_input_tokens;
      got.cached += row.totals.cached_text_input_tokens;
      got.output += row.totals.text_output_tokens;
    }
    if (JSON.stringify(got) === last) return got;
    last = JSON.stringify(got);
    await sleep(1000);
  }
  throw new Error(`the usage totals did not settle: ${last}`);
}

// Read once the work has settled, so acknowledgements sent after a client gave up are in it.
async function serverAcks(s: Awaited<ReturnType<typeof startSteward>>): Promise<LoadResult['serverAckMs']> {
  const text = await (await s.fetch('/metrics')).text();
  const h = readHistogram(text, 'steward_ingest_ack_seconds', { source: 'otlp' });
  const p50 = histogramQuantile(h, 0.5);
  const p99 = histogramQuantile(h, 0.99);
  return { p50: p50.value * 1000, p99: p99.value * 1000, over: p50.over || p99.over, acks: h.count };
}

async function eventLoopDelay(s: Awaited<ReturnType<typeof startSteward>>): Promise<LoadResult['eventLoopMs']> {
  const text = await (await s.fetch('/metrics')).text();
  const g = (name: string) => 1000 * Number(new RegExp(`^steward_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    p50: g('nodejs_eventloop_lag_p50_seconds'),
    p99: g('nodejs_eventloop_lag_p99_seconds'),
    max: g('nodejs_eventloop_lag_max_seconds'),
  };
}

// utime + stime of every thread of the process, from /proc (clock ticks of 10 ms on Linux).
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function quantiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN);
  return { p50: q(0.5), p99: q(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

// Flat memory = after warm-up, a least-squares slope near zero and a max near the first sample.
export function rssSummary(samples: LoadRss['samples'], warmupSeconds: number): LoadRss {
  const after = samples.filter((x) => x.s >= warmupSeconds);
  const n = after.length;
  const mx = after.reduce((a, x) => a + x.s, 0) / n;
  const my = after.reduce((a, x) => a + x.mb, 0) / n;
  const sxy = after.reduce((a, x) => a + (x.s - mx) * (x.mb - my), 0);
  const sxx = after.reduce((a, x) => a + (x.s - mx) ** 2, 0);
  return {
    samples,
    warmupSeconds,
    firstMb: after[0]?.mb ?? NaN,
    maxMb: Math.max(...after.map((x) => x.mb)),
    lastMb: after[n - 1]?.mb ?? NaN,
    slopeMbPerMin: sxx > 0 ? (sxy / sxx) * 60 : NaN,
    load: { min: Math.min(...samples.map((x) => x.load)), max: Math.max(...samples.map((x) => x.load)) },
  };
}

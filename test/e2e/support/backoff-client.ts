// OTLP exporters that back off, as the OpenTelemetry exporters do: each exporter produces batches
// at a steady rate into a bounded queue and sends them one at a time over its own keep-alive
// connection; a 429 or 503 makes it wait the answer's Retry-After (else an exponential backoff)
// and send the same batch again; a full queue drops the new batch (BatchLogRecordProcessor's
// behaviour), counted. Latency is counted twice: one request's (sent -> answered) and one batch's
// (produced -> acknowledged, so time spent queued and backing off is in it).
import http from 'node:http';

export interface BackoffOptions {
  url: string;
  keys: string[];
  exporters: number;
  /** Batches per second, all exporters together. */
  rate: number;
  seconds: number;
  /** At most this many batches waiting per exporter (OTel's default queue: 2,048 records). */
  queue: number;
  timeoutMs: number;
  body: () => Buffer;
  /** status -1: the connection closed or was refused without an answer; -2: no answer within timeoutMs. */
  onStatus: (status: number, retryAfter: string | undefined, ms: number) => void;
}

export interface BackoffResult {
  produced: number;
  acked: number;
  dropped: number;
  /** Batches still queued or unacknowledged when the run ended (never sent again). */
  unsent: number;
  /** Of those, batches whose last attempt ended without an answer: the server may have stored them. */
  maybeStored: number;
  batchMs: number[];
  waitedMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function backoffRun(o: BackoffOptions): Promise<BackoffResult> {
  const target = new URL('/v1/logs', o.url);
  const r: BackoffResult = { produced: 0, acked: 0, dropped: 0, unsent: 0, maybeStored: 0, batchMs: [], waitedMs: 0 };
  const until = performance.now() + o.seconds * 1000;
  const perExporterMs = (1000 * o.exporters) / o.rate;
  const exporter = async (e: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const queue: { due: number; body?: Buffer; unanswered?: boolean }[] = [];
    // Spread the exporters' ticks over one period so they do not all produce at once.
    let nextDue = performance.now() + (perExporterMs * e) / o.exporters;
    const produce = () => {
      for (const now = performance.now(); nextDue <= now && nextDue < until; nextDue += perExporterMs) {
        r.produced++;
        if (queue.length >= o.queue) r.dropped++;
        else queue.push({ due: nextDue });
      }
    };
    let backoffMs = 1000;
    while (performance.now() < until) {
      produce();
      const batch = queue[0];
      if (!batch) {
        await sleep(Math.max(1, Math.min(nextDue, until) - performance.now()));
        continue;
      }
      batch.body ??= o.body();
      const t0 = performance.now();
      const { status, retryAfter } = await post(agent, target, batch.body, o.keys[e % o.keys.length]!, o.timeoutMs);
      o.onStatus(status, retryAfter, performance.now() - t0);
      batch.unanswered ||= status < 0;
      if (status === 200) {
        queue.shift();
        r.acked++;
        r.batchMs.push(performance.now() - batch.due);
        backoffMs = 1000;
        continue;
      }
      // Retryable (429/503, no answer): wait and send the same batch again; anything
      // else is permanent for an exporter and the batch is dropped.
      if (status !== 429 && status !== 503 && status >= 0) {
        queue.shift();
        continue;
      }
      const seconds = Number(retryAfter);
      const waitMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : backoffMs;
      backoffMs = Math.min(backoffMs * 2, 30_000);
      // Jitter, so exporters refused together do not all come back together.
      const jittered = waitMs * (0.8 + Math.random() * 0.4);
      r.waitedMs += jittered;
      await sleep(Math.min(jittered, Math.max(0, until - performance.now())));
    }
    produce();
    r.unsent += queue.length;
    r.maybeStored += queue.filter((b) => b.unanswered).length;
    agent.destroy();
  };
  await Promise.all(Array.from({ length: o.exporters }, (_, e) => exporter(e)));
  return r;
}

function post(
  agent: http.Agent,
  target: URL,
  body: Buffer,
  key: string,
  timeoutMs: number,
): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/x-protobuf',
          authorization: `Bearer ${key}`,
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter }));
        res.on('error', () => resolve({ status: -1 }));
      },
    );
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => resolve({ status: timedOut ? -2 : -1 }));
    req.end(body);
  });
}

// The load harness's own measuring pieces, against ground truth computed here: the server-side
// acknowledgement figure read from a real prom-client exposition, and the fixed-rate client's
// latencies against a server that answers at once and closes the connection on most refusals.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { fixedRateRun } from './support/fixed-rate-client.js';
import { histogramQuantile, readHistogram } from './support/prom-histogram.js';

describe('the server-side ack figure: quantiles from a /metrics histogram', () => {
  const exposition = async (values: number[], other: number[] = []) => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'steward_ingest_ack_seconds',
      help: 'x',
      labelNames: ['source'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    for (const v of values) h.observe({ source: 'otlp' }, v);
    for (const v of other) h.observe({ source: 'rollout' }, v);
    return registry.metrics();
  };
  const exact = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1]!;

  it('reads only the series asked for, and its quantiles fall in the bucket of the exact ones', async () => {
    // 1,000 values spread evenly over 0-10 s (the buckets filled to their bounds), and another
    // source's that must not count.
    const values = Array.from({ length: 1000 }, (_, i) => (i + 0.5) * 0.01);
    const h = readHistogram(await exposition(values, [20, 20, 20]), 'steward_ingest_ack_seconds', {
      source: 'otlp',
    });
    assert.equal(h.count, 1000);
    assert.equal(h.buckets.at(-1)!.count, 1000);
    assert.ok(Math.abs(h.sum - values.reduce((a, b) => a + b, 0)) < 1e-6);
    for (const q of [0.5, 0.99]) {
      const est = histogramQuantile(h, q);
      const truth = exact(values, q);
      const bounds = [0, ...h.buckets.map((b) => b.le)];
      const i = bounds.findIndex((b) => b >= truth);
      assert.equal(est.over, false);
      assert.ok(est.value > bounds[i - 1]! && est.value <= bounds[i]!, `q${q}: ${est.value} vs ${truth}`);
      // Evenly spread values: linear interpolation within the bucket is close to exact.
      assert.ok(Math.abs(est.value - truth) < 0.05, `q${q}: ${est.value} vs ${truth}`);
    }
  });

  it('says "at least" when the rank falls past the last finite bucket', async () => {
    const values = [...Array.from({ length: 90 }, () => 0.2), ...Array.from({ length: 10 }, () => 100)];
    const h = readHistogram(await exposition(values), 'steward_ingest_ack_seconds', { source: 'otlp' });
    assert.deepEqual(histogramQuantile(h, 0.99), { value: 30, over: true });
    assert.equal(histogramQuantile(h, 0.5).over, false);
    assert.ok(Number.isNaN(histogramQuantile(readHistogram('', 'x', {}), 0.5).value));
  });
});

describe('the fixed-rate client (autocannon): latencies of a server that closes refused connections', () => {
  it('measures each answer from its own request, not from one the closed connection never answered', async () => {
    // Steward's refusal of a body over 64 KiB: 429 + Retry-After + Connection: close on headers,
    // the body unread. Every third request is read and answered 200 on a kept connection.
    let n = 0;
    const server = http.createServer((req, res) => {
      if (++n % 3) {
        res.writeHead(429, { 'retry-after': '1', connection: 'close' }).end();
        return;
      }
      req.resume().on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answers: { status: number; retryAfter?: string; ms: number }[] = [];
    try {
      // Two requests a second per connection: after a refusal the next goes out at once, onto the
      // socket the server is closing.
      const r = await fixedRateRun({
        url,
        keys: ['k'],
        connections: 4,
        rate: 8,
        seconds: 5,
        timeoutMs: 10_000,
        body: () => Buffer.alloc(100 * 1024, 1),
        onStatus: (status, retryAfter, ms) => answers.push({ status, retryAfter, ms }),
      });
      const refused = answers.filter((a) => a.status === 429);
      assert.ok(refused.length >= 10 && answers.some((a) => a.status === 200), JSON.stringify(answers));
      assert.ok(
        refused.every((a) => a.retryAfter === '1'),
        'every refusal carried its Retry-After to onStatus',
      );
      // The server answers within a few ms of each request; a request period (500 ms) or more is
      // the latency of an earlier request that was never answered.
      const slow = answers.filter((a) => a.ms > 400);
      assert.deepEqual(slow, [], `${slow.length} of ${answers.length} answers measured > 400 ms`);
      assert.ok(r.orphaned > 0, 'the requests left on closed connections are counted');
      assert.ok(r.sent >= answers.length + r.orphaned, JSON.stringify({ ...r, answers: answers.length }));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

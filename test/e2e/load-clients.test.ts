// The load harness's own measuring pieces, against ground truth computed here: the server-side
// acknowledgement figure read from a real prom-client exposition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
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

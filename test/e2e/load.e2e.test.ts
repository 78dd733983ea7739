// The load harness's short run in CI (the 10-minute one: bench/load.bench.ts): OTLP at 2x the
// ingest target against a real `steward serve`, without and with client backoff, on each database.
// Overload is answered with 429 + Retry-After and no 5xx at all (decisions/0051); every acknowledged batch is
// in the Analytics API and nothing is counted twice; the server's RSS stays bounded.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadRun } from './support/load.js';
import { DIALECTS } from './support/steward.js';

const TARGET = { sqlite: 50_000, postgres: 20_000 } as const;

// Backing-off exporters on the first dialect only: what they add (Retry-After honoured) does not
// depend on the database; the no-backoff run, where a store gives way first, runs on each.
for (const dialect of DIALECTS)
  for (const backoff of dialect === DIALECTS[0] ? [false, true] : [false])
    it(`2x the ingest target, ${backoff ? 'exporters backing off' : 'no backoff'}: no 5xx, 429 + Retry-After, nothing acknowledged lost (${dialect})`, async () => {
      const r = await loadRun({
        dialect,
        backoff,
        seconds: 12,
        recordsPerSecond: 2 * TARGET[dialect],
        connections: backoff ? 32 : 128,
        sampleMs: 500,
        warmupSeconds: 3,
      });
      assert.equal(r.fiveHundreds, 0, JSON.stringify(r.status));
      assert.ok(
        Object.keys(r.status).every((c) => ['200', '429', '-1', 'timeout'].includes(c)),
        JSON.stringify(r.status),
      );
      assert.equal(r.refusalsWithoutRetryAfter, 0);
      assert.ok(r.accepted.batches > 0, JSON.stringify(r.status));
      assert.ok(Number.isFinite(r.ackMs.p99), 'p99 acknowledgement latency');
      // Whole batches only, each at most once: the totals are a whole number of sessions' tokens,
      // at least the acknowledged ones and at most those plus the ones left without an answer.
      const per = r.tokens.expected.input / r.sessions.acked;
      assert.equal(r.tokens.got.input, r.sessions.stored * per);
      assert.ok(
        r.sessions.stored >= r.sessions.acked,
        `stored ${r.sessions.stored} < acknowledged ${r.sessions.acked}`,
      );
      assert.ok(
        r.sessions.stored <= r.sessions.acked + r.sessions.unanswered,
        `stored ${r.sessions.stored} > acknowledged ${r.sessions.acked} + unanswered ${r.sessions.unanswered}`,
      );
      assert.ok(r.rss.samples.length >= 10, `${r.rss.samples.length} RSS samples`);
      assert.ok(r.rss.maxMb < 1024, `RSS reached ${r.rss.maxMb.toFixed(0)} MB`);
    });

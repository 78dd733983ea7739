// Rollup counters never overflow (issue 11, item 2; decisions/0012): a bucket pushed to the limit
// by abusive input saturates at ROLLUP_COUNTER_MAX, and later facts of the same bucket still land,
// on both databases. Before, PostgreSQL failed every later batch of the bucket with "bigint out of
// range" and SQLite turned the counters into floating point.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROLLUP_COUNTER_MAX } from '../../src/core/bounds.js';
import type { EnrichedEvent } from '../../src/core/events.js';
import { storeEvents } from '../../src/ingest/ingest.repository.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const TS = Date.UTC(2026, 10, 2, 12);
let n = 0;
const response = (costNanoUsd: number, creditsNano: number): EnrichedEvent => ({
  event: {
    kind: 'response',
    key: `resp:bounds-${++n}`,
    threadId: 'th-bounds',
    ts: TS,
    model: 'gpt-5.5',
    tokens: { input: 10, cached: 0, output: 5, reasoning: 0 },
  },
  workspaceId: 'ws-bounds',
  userId: 'u-bounds',
  clientId: 'cli',
  source: 'otlp',
  priced: { costNanoUsd, creditsNano, pricedModel: 'gpt-5.5', fallback: false, pricingVersion: 'test' },
});

for (const dialect of DIALECTS) {
  describe(`rollup counters saturate instead of overflowing (${dialect})`, () => {
    let s: TestStore;
    before(async () => (s = await makeStore(dialect)));
    after(() => s.cleanup());

    it('a bucket at the limit stays at it, exact and integer, and the next batch lands', async () => {
      // Two batches near the limit, then one more: each alone is fine, their sum is past 2^63.
      const big = 6_000_000_000_000_000_000;
      await storeEvents(s.db, [response(big, big)]);
      await storeEvents(s.db, [response(big, big), response(big, big)]); // within one batch too
      await storeEvents(s.db, [response(1, 1)]);
      const row = await s.db
        .selectFrom('usage_ws_day')
        .selectAll()
        .where('workspace_id', '=', 'ws-bounds')
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.cost_nusd), ROLLUP_COUNTER_MAX);
      assert.equal(Number(row.credits_n), ROLLUP_COUNTER_MAX);
      assert.equal(Number(row.requests), 4);
      assert.equal(Number(row.output_tokens), 20);
      if (dialect === 'sqlite') {
        const t = await s.db
          .selectFrom('usage_ws_day')
          .select((eb) => eb.fn<string>('typeof', ['cost_nusd']).as('t'))
          .executeTakeFirstOrThrow();
        assert.equal(t.t, 'integer');
      }
    });
  });
}

// The search indexer's pace (decisions/0046): on SQLite, while ingest is under way (`busy`), it
// indexes in batches of a quarter the size, so that each write-lock hold is shorter, and rests
// longer between them; idle, full batches. Seen from the watermark, which moves one batch per
// transaction: sampled while the indexer runs, every value it passes is a multiple of its batch.
// PostgreSQL does not pace itself (the work is the database's). Both end with every record indexed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { appendRecords } from '../../src/compliance/chain/chain.repository.js';
import { indexedUpTo } from '../../src/compliance/reads/search-index.repository.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import type { RecordDraft } from '../../src/core/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const draft = (n: number): RecordDraft => ({
  eventType: 'CODEX_LOG',
  ts: Date.now() - 1000 + n,
  userId: 'u1',
  threadId: `t${n % 5}`,
  content: { kind: 'prompt', prompt: { text: `the prompt number ${n} of the pace test` } },
});

for (const dialect of DIALECTS)
  describe(`search indexer pace (${dialect})`, () => {
    let store: TestStore;
    let ws: string;
    before(async () => {
      store = await makeStore(dialect);
      ws = (await ensureBootstrapped(store.db)).workspace.id;
      await indexPending(store.db); // the bootstrap's own records
    });
    after(async () => {
      await store.cleanup();
    });

    // Watermarks seen while indexPending runs, and how often it asked whether ingest is busy.
    async function watch(records: number, busy: boolean) {
      const from = await indexedUpTo(store.db, ws);
      const drafts = Array.from({ length: records }, (_, i) => draft(from + i));
      await store.db.transaction().execute((trx) => appendRecords(trx, ws, drafts));
      let asked = 0;
      const seen = new Set<number>();
      let done = false;
      const run = indexPending(store.db, { batch: 40, busy: () => (asked++, busy) }).finally(() => (done = true));
      while (!done) {
        seen.add((await indexedUpTo(store.db, ws)) - from);
        await new Promise((r) => setImmediate(r));
      }
      const indexed = await run;
      return { indexed, asked, seen: [...seen].sort((a, b) => a - b), end: (await indexedUpTo(store.db, ws)) - from };
    }

    it('indexes in quarter batches while ingest is busy on SQLite, full ones otherwise', async () => {
      const busy = await watch(200, true);
      assert.equal(busy.indexed, 200);
      assert.equal(busy.end, 200);
      const step = dialect === 'sqlite' ? 10 : 40;
      for (const s of busy.seen) assert.equal(s % step, 0, `watermark +${s} while busy: ${busy.seen.join(',')}`);
      if (dialect === 'sqlite') {
        assert.ok(busy.asked >= 20, `asked ${busy.asked} times for 20 batches`);
        assert.ok(
          busy.seen.some((s) => s % 40 !== 0),
          `no quarter batch seen: ${busy.seen.join(',')}`,
        );
      }
      const idle = await watch(200, false);
      assert.equal(idle.indexed, 200);
      for (const s of idle.seen) assert.equal(s % 40, 0, `watermark +${s} when idle: ${idle.seen.join(',')}`);
    });
  });

// Migration 0010 on data written before it: content that a retention run removed then (explained
// only by compliance_purges) gets a chained removal record, so the chain still verifies, while
// content deleted outside that run's cutoff is still reported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { appendN, tamper } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`migration 0010_chained_removals (${dialect})`, () => {
    let store: TestStore;
    const ws = 'ws-before-0010';
    before(async () => {
      store = await makeStore(dialect, '0007_drop_unread_record_index');
      await appendN(store.db, ws, 4, { ts: Date.now() - 40 * DAY }, 4);
      await appendN(store.db, ws, 2, {}, 2);
      // A retention run as the code before 0010 did it: its cutoff in compliance_purges, content gone.
      const now = Date.now();
      await sql`insert into compliance_purges (run_id, workspace_id, event_type, cutoff_ts, ran_at, purged) values ('old-run', ${ws}, 'CODEX_LOG', ${now - 30 * DAY}, ${now}, 4)`.execute(
        store.db,
      );
      for (const seq of [1, 2, 3, 4]) await tamper.deleteContent(store.db, ws, seq);
      await migrateToLatest(store.db);
    });
    after(() => store.cleanup());

    it('chains a removal record for what the old run removed, and the chain verifies', async () => {
      const r = await verifyChain(store.db, ws);
      assert.equal(r.ok, true, JSON.stringify(r.first_bad));
      assert.deepEqual([r.records, r.content_removed_by_retention], [7, 4]);
      const removals = await store.db.selectFrom('compliance_removals').selectAll().execute();
      assert.deepEqual(
        removals.map((x) => [Number(x.seq), x.event_type]),
        [[7, 'CODEX_LOG']],
      );
    });

    it('still reports content deleted outside the old cutoff', async () => {
      await tamper.deleteContent(store.db, ws, 6);
      const r = await verifyChain(store.db, ws);
      assert.deepEqual([r.ok, r.first_bad?.seq, r.first_bad?.reason], [false, 6, 'content_removed_outside_retention']);
    });
  });
}

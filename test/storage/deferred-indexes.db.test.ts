// The fact tables' secondary indexes set aside during a load from nothing (decisions/0056), both
// databases: they are listed from the store itself (plain indexes only, never a primary key or a
// unique index), gone during the load, back after it with the same definitions (also when the load
// fails), and left alone in a store that holds facts already.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withFactIndexesDeferred } from '../../src/ingest/index.js';
import { secondaryIndexes, tablesEmpty } from '../../src/platform/storage/deferred-indexes.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const FACTS = ['threads', 'turns', 'model_requests', 'tool_events', 'codex_events'];
// The migrations' plain indexes on those tables (0017, 0031).
const EXPECTED = [
  'codex_events_ws_category_ts',
  'model_requests_thread',
  'threads_user_first_seen',
  'threads_user_host',
  'turns_thread',
];

for (const dialect of DIALECTS) {
  describe(`deferred fact indexes (${dialect})`, () => {
    let store: TestStore;
    before(async () => {
      store = await makeStore(dialect);
    });
    after(() => store.cleanup());

    it('lists the plain indexes only', async () => {
      const names = (await secondaryIndexes(store.db, FACTS)).map((i) => i.name);
      assert.deepEqual(names, EXPECTED);
    });

    it('drops them for the load of an empty store and builds the same ones after', async () => {
      const before = await secondaryIndexes(store.db, FACTS);
      const during = await withFactIndexesDeferred(store.db, () => secondaryIndexes(store.db, FACTS));
      assert.deepEqual(during, []);
      assert.deepEqual(await secondaryIndexes(store.db, FACTS), before);
    });

    it('builds them again when the load fails', async () => {
      const before = await secondaryIndexes(store.db, FACTS);
      await assert.rejects(
        withFactIndexesDeferred(store.db, async () => {
          throw new Error('load failed');
        }),
        /load failed/,
      );
      assert.deepEqual(await secondaryIndexes(store.db, FACTS), before);
    });

    it('keeps them in a store that has facts', async () => {
      await store.db
        .insertInto('fact_reconcile')
        .values({
          workspace_id: 'ws',
          kind: 'turn',
          fact_key: 'k',
          source: 'otlp',
          match_thread: 't',
          ts: 1,
          sig: 's',
          stored_key: 'k',
        } as never)
        .execute();
      assert.equal(await tablesEmpty(store.db, ['fact_reconcile']), false);
      const during = await withFactIndexesDeferred(store.db, () => secondaryIndexes(store.db, FACTS));
      assert.deepEqual(
        during.map((i) => i.name),
        EXPECTED,
      );
    });
  });
}

// Migrations that reshape stored data, run on data written before them, on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const WS = '01a00000-0000-7000-8000-000000000001';
const PARENT = '01a00000-0000-7000-8000-0000000000aa';
const CHILD = '01a00000-0000-7000-8000-0000000000bb';

for (const dialect of DIALECTS) {
  describe(`migration 0006_reconcile_by_thread (${dialect})`, () => {
    let store: TestStore;
    before(async () => {
      store = await makeStore(dialect, '0005_facts_without_content');
      const turn = (turn_key: string, thread_id: string) => ({
        workspace_id: WS,
        turn_key,
        turn_id: null,
        thread_id,
        user_id: 'u',
        client_id: 'CLI',
        ts: 1,
        model: 'gpt-5',
        prompt_length: 3,
        source: 'rollout',
      });
      // A sub-agent's turn rolled up into its parent: counted under PARENT, matched within CHILD.
      await store.db
        .insertInto('turns')
        .values([turn('t-parent', PARENT), turn('t-child', PARENT), turn('t-unreconciled', PARENT)] as never)
        .execute();
      const rec = (kind: string, fact_key: string, match_thread: string, matched_key: string | null) => ({
        workspace_id: WS,
        kind,
        fact_key,
        source: 'rollout',
        match_thread,
        ts: 1,
        sig: '',
        ext_id: null,
        stored_key: fact_key,
        matched_key,
      });
      await store.db
        .insertInto('fact_reconcile')
        .values([
          rec('turn', 't-parent', PARENT, 'otlp-key'),
          rec('turn', 't-child', CHILD, null),
          rec('response', 'r-1', CHILD, null),
        ])
        .execute();
      await migrateToLatest(store.db);
    });
    after(() => store.cleanup());

    it('gives every stored turn the thread it was matched within', async () => {
      const rows = await store.db
        .selectFrom('turns')
        .select(['turn_key', 'match_thread'])
        .orderBy('turn_key')
        .execute();
      assert.deepEqual(rows, [
        { turn_key: 't-child', match_thread: CHILD },
        { turn_key: 't-parent', match_thread: PARENT },
        { turn_key: 't-unreconciled', match_thread: PARENT },
      ]);
    });

    it('keeps every reconciliation row, now keyed by thread', async () => {
      const rows = await store.db
        .selectFrom('fact_reconcile')
        .select(['kind', 'fact_key', 'match_thread', 'matched_key'])
        .orderBy('fact_key')
        .execute();
      assert.deepEqual(rows, [
        { kind: 'response', fact_key: 'r-1', match_thread: CHILD, matched_key: null },
        { kind: 'turn', fact_key: 't-child', match_thread: CHILD, matched_key: null },
        { kind: 'turn', fact_key: 't-parent', match_thread: PARENT, matched_key: 'otlp-key' },
      ]);
      // The same fact again is a conflict on the new key (replays stay duplicates).
      const again =
        await sql`insert into fact_reconcile (workspace_id, kind, fact_key, source, match_thread, ts, sig, stored_key)
        values (${WS}, 'turn', 't-child', 'rollout', ${CHILD}, 1, '', 't-child') on conflict (workspace_id, match_thread, kind, fact_key) do nothing`.execute(
          store.db,
        );
      assert.equal(Number(again.numAffectedRows ?? 0), 0);
    });
  });
}

// Migration 0032 on both databases: on a store whose active-user day set already holds days, each
// person's activity span (first and last day) is filled from it, per workspace and user; later
// batches widen it at ingest (test/http/people-reads.http.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAYS: [string, string, number, string][] = [
  ['w1', 'a', 20400, 'CODEX_CLI'],
  ['w1', 'a', 20410, 'CODEX_CLI'],
  ['w1', 'a', 20405, 'CODEX_IDE_VSCODE'],
  ['w1', 'b', 20399, 'CODEX_CLI'],
  ['w2', 'a', 20300, 'CODEX_CLI'],
];

for (const dialect of DIALECTS)
  describe(`migration 0032 user activity (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0031_person_reads');
      await s.db
        .insertInto('active_user_day_set')
        .values(
          DAYS.map(([workspace_id, user_id, bucket, client_id]) => ({ workspace_id, user_id, bucket, client_id })),
        )
        .execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it("fills each person's first and last active day from the day set", async () => {
      const rows = await s.db
        .selectFrom('user_activity')
        .selectAll()
        .orderBy('workspace_id')
        .orderBy('user_id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.workspace_id, r.user_id, Number(r.first_day), Number(r.last_day)]),
        [
          ['w1', 'a', 20400, 20410],
          ['w1', 'b', 20399, 20399],
          ['w2', 'a', 20300, 20300],
        ],
      );
    });
  });

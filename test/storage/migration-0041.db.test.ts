// Migration 0041 on both databases: on a store whose active-user sets already hold people, the
// surface sets and the counts are filled from them (per bucket: everyone, each surface, each
// client), checked against distinct people computed here from the same rows; afterwards the
// ingest's own set inserts keep the counts exact, a repeated insert adding nobody.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { surfaceOf } from '../../src/core/clients.js';
import { activeUserInserts } from '../../src/ingest/rollups.repository.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { insertMany } from '../../src/platform/storage/bulk-insert.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

type Row = [string, number, string, string]; // workspace, bucket, user, client
const BEFORE: Row[] = [
  ['w1', 20400, 'a', 'CODEX_CLI'],
  ['w1', 20400, 'a', 'CODEX_IDE_VSCODE'], // two surfaces in a day
  ['w1', 20400, 'b', 'CODEX_IDE_VSCODE'],
  ['w1', 20400, 'b', 'CODEX_IDE_JETBRAINS'], // two clients of one surface
  ['w1', 20401, 'a', 'CODEX_DESKTOP_APP'],
  ['w1', 20401, 'c', 'CODEX_SOMETHING_NEW'], // surface other
  ['w2', 20400, 'a', 'CODEX_CLI'],
];
const LATER: Row[] = [
  ['w1', 20400, 'a', 'CODEX_CLI'], // already in: nobody new
  ['w1', 20400, 'a', 'CODEX_IDE_JETBRAINS'], // a new client, already counted for ide and in all
  ['w1', 20400, 'c', 'CODEX_CLI'], // a new person
  ['w1', 20402, 'b', 'CODEX_CLI'],
  ['w1', 20402, 'b', 'CODEX_SERVICE_EXEC'],
];

function truth(rows: Row[]): Map<string, number> {
  const people = new Map<string, Set<string>>();
  for (const [ws, bucket, user, client] of rows)
    for (const k of [`${ws}|${bucket}||`, `${ws}|${bucket}|${surfaceOf(client)}|`, `${ws}|${bucket}||${client}`]) {
      if (!people.has(k)) people.set(k, new Set());
      people.get(k)!.add(user);
    }
  return new Map([...people].map(([k, s]) => [k, s.size]));
}
const asRows = (rows: Row[]) =>
  rows.map(([workspace_id, bucket, user_id, client_id]) => ({ workspace_id, bucket, user_id, client_id }));

for (const dialect of DIALECTS)
  describe(`migration 0041 active-user counts (${dialect})`, () => {
    let s: TestStore;
    const counts = async (grain: 'day' | 'week') =>
      new Map(
        (
          await s.db
            .selectFrom(`active_user_${grain}_count` as 'active_user_day_count')
            .selectAll()
            .execute()
        ).map((r) => [`${r.workspace_id}|${Number(r.bucket)}|${r.surface}|${r.client_id}`, Number(r.users)]),
      );
    before(async () => {
      s = await makeStore(dialect, '0040_content_partitions');
      await s.db.insertInto('active_user_day_set').values(asRows(BEFORE)).execute();
      await s.db.insertInto('active_user_week_set').values(asRows(BEFORE)).execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('fills the counts from the sets already written', async () => {
      assert.deepEqual(await counts('day'), truth(BEFORE));
      assert.deepEqual(await counts('week'), truth(BEFORE));
      assert.equal((await counts('day')).get('w1|20400||'), 2);
      assert.equal((await counts('day')).get('w1|20400|ide|'), 2);
    });

    it("keeps them exact through the ingest's set inserts, twice over", async () => {
      for (let i = 0; i < 2; i++) {
        // Two parts at least: on PostgreSQL one statement of data-modifying WITH queries.
        await s.db.transaction().execute((trx) => insertMany(trx, activeUserInserts(asRows(LATER), [])));
        assert.deepEqual(await counts('day'), truth([...BEFORE, ...LATER]));
        assert.deepEqual(await counts('week'), truth(BEFORE), 'the week set got no rows');
      }
    });
  });

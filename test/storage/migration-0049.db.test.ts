// Migration 0049 on both databases: a store whose trailing-window bases are built gets, for each
// anchor built, the people active on each surface on every window's days before the anchor, from
// the surface day set (a person on two clients of one surface once; the anchor day and the days
// before a window in none of it). Then the late events add to it and the daily build writes it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWindows } from '../../src/ingest/index.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY_MS = 86_400_000;
const A = 20_500;
// Surface day set rows [days before the anchor, user, surface]; '' is "any surface".
const SET: [number, string, string][] = [
  [1, 'a', 'ide'],
  [1, 'a', ''],
  [3, 'a', 'ide'], // a second day on the same surface: one row
  [6, 'a', 'cli'],
  [7, 'b', 'cli'], // outside the 7-day window
  [0, 'c', 'cloud'], // the anchor day: in no base
  [89, 'd', 'desktop'],
  [90, 'e', 'desktop'], // before the 90-day window
];

async function rows(s: TestStore): Promise<string[]> {
  const r = await s.db
    .selectFrom('active_user_surface_window')
    .select(['window_days', 'anchor', 'surface', 'user_id'])
    .execute();
  return r.map((x) => `${x.window_days}|${x.anchor}|${x.surface}|${x.user_id}`).sort();
}
const want = (anchor: number) =>
  [
    ...['7', '30', '90'].flatMap((w) => [`${w}|${anchor}|cli|a`, `${w}|${anchor}|ide|a`]),
    ...['30', '90'].map((w) => `${w}|${anchor}|cli|b`),
    `90|${anchor}|desktop|d`,
  ].sort();

for (const dialect of DIALECTS)
  describe(`migration 0049 the people per surface and window (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0047_window_scope_indexes');
      const db = s.db as any;
      await db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 0, settings: '{}' }).execute();
      for (const [ago, user, surface] of SET)
        await db
          .insertInto('active_user_day_surface_set')
          .values({ workspace_id: 'w', bucket: A - ago, user_id: user, surface })
          .execute();
      // A base built for A: one person row is enough for the fill to see the anchor.
      await db
        .insertInto('usage_person_window')
        .values({ workspace_id: 'w', window_days: 7, anchor: A, user_id: 'a' })
        .execute();
      await db.insertInto('usage_window_state').values({ workspace_id: 'w', anchor: A, built_at: 0 }).execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('fills the people per surface for each anchor built', async () => {
      assert.deepEqual(await rows(s), want(A));
    });

    it('the build writes the same people for the next anchor', async () => {
      const db = s.db as any;
      for (const [ago, user, surface] of SET)
        await db
          .insertInto('active_user_day_surface_set')
          .values({ workspace_id: 'w', bucket: A + 1 - ago, user_id: user, surface })
          .onConflict((oc: any) => oc.doNothing())
          .execute();
      // The day set rows of A + 1 - ago that coincide with A's are already there: the build reads
      // the union, which must hold the same people as A's, shifted by a day, and more.
      await buildWindows(s.db, 'w', (A + 1) * DAY_MS + 3_600_000);
      const got = (await rows(s)).filter((r) => r.includes(`|${A + 1}|`));
      for (const r of want(A + 1)) assert.ok(got.includes(r), r);
      // c's anchor-day row of A is a day before A + 1: now in every window.
      for (const w of [7, 30, 90]) assert.ok(got.includes(`${w}|${A + 1}|cloud|c`), `${w} c`);
    });
  });

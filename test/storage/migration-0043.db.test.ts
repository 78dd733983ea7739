// Migration 0043 on both databases: a store whose trailing-window bases are already built (rows per
// person and client, masks per person) gets the base as one row per person, window and anchor,
// filled from them: every client's counters summed and the any-client mask cut to the window's days,
// checked against sums and masks computed here from the rows inserted. Then the daily build writes
// the same rows from the day rollups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COUNTERS } from '../../src/core/rollups.js';
import { buildWindows } from '../../src/ingest/index.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY_MS = 86_400_000;
const A = 20_500;
// Base rows as the build of 0039 writes them: [window, anchor, user, client, turns].
const BASE: [number, number, string, string, number][] = [
  [7, A, 'a', 'CODEX_CLI', 3],
  [7, A, 'a', 'CODEX_IDE_VSCODE', 2], // a second client: summed into a's row
  [30, A, 'a', 'CODEX_CLI', 5],
  [90, A, 'a', 'CODEX_CLI', 8],
  [30, A, 'b', 'CODEX_CLI', 0], // a row without a turn (and no mask)
  [90, A, 'b', 'CODEX_CLI', 1],
  [90, A - 1, 'a', 'CODEX_CLI', 4], // yesterday's anchor, kept for a day
];
// Any-client masks [anchor, user, days]; the per-client one is not the person's.
const MASKS: [number, string, bigint][] = [
  [A, 'a', (1n << 61n) | (1n << 40n) | (1n << 28n) | (1n << 29n) | (1n << 5n) | (1n << 6n) | 1n],
  [A - 1, 'a', 0b101n],
];
const counters = (turns: number, i: number) =>
  Object.fromEntries(COUNTERS.map((c, k) => [c, c === 'turns' ? turns : turns * (k + 1) + i]));
const keep = (w: number) => (1n << BigInt(Math.min(w, 62) - 1)) - 1n;

type Person = Record<string, number | bigint>;
async function people(s: TestStore): Promise<Map<string, Person>> {
  // The mask as text: 62 bits do not fit the double SQLite's driver reads a number as.
  const rows = await s.db
    .selectFrom('usage_person_window')
    .selectAll()
    .select((eb) => eb.cast<string>('days', 'text').as('mask'))
    .execute();
  return new Map(
    rows.map((r) => [
      `${r.window_days}|${r.anchor}|${r.user_id}`,
      { ...Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c as keyof typeof r])])), days: BigInt(r.mask) },
    ]),
  );
}

for (const dialect of DIALECTS)
  describe(`migration 0043 the base per person (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0041_active_user_counts');
      const db = s.db as any;
      await db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 0, settings: '{}' }).execute();
      for (const [i, [w, anchor, user, client, turns]] of BASE.entries())
        await db
          .insertInto('usage_user_window')
          .values({
            workspace_id: 'w',
            window_days: w,
            anchor,
            user_id: user,
            client_id: client,
            ...counters(turns, i),
          })
          .execute();
      for (const [anchor, user, days] of MASKS) {
        const k = { workspace_id: 'w', anchor, user_id: user };
        await db
          .insertInto('user_day_mask')
          .values({ ...k, client_id: '', model: '', days: days.toString() })
          .execute();
        await db
          .insertInto('user_day_mask')
          .values({ ...k, client_id: 'CODEX_CLI', model: '', days: '3' })
          .execute();
      }
      await db.insertInto('usage_window_state').values({ workspace_id: 'w', anchor: A, built_at: 0 }).execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('fills one row per person, window and anchor from the bases built', async () => {
      const want = new Map<string, Person>();
      BASE.forEach(([w, anchor, user, , turns], i) => {
        const id = `${w}|${anchor}|${user}`;
        const row = want.get(id) ?? { ...Object.fromEntries(COUNTERS.map((c) => [c, 0])), days: 0n };
        for (const [c, v] of Object.entries(counters(turns, i))) row[c] = Number(row[c]) + v;
        const mask = MASKS.find(([a, u]) => a === anchor && u === user)?.[2] ?? 0n;
        row.days = mask & keep(w);
        want.set(id, row);
      });
      const got = await people(s);
      assert.deepEqual(got, want);
      // The 7-day row keeps the 6 days before the anchor, the 90-day row 61 (bit 61 is past it).
      assert.equal(got.get(`7|${A}|a`)!.days, (1n << 5n) | 1n);
      assert.equal(got.get(`90|${A}|a`)!.days, MASKS[0][2] & ~(1n << 61n));
    });

    it('the build writes the same rows from the day rollups', async () => {
      // Day rollups that sum to the 90-day rows of a and b above (days before the anchor).
      const db = s.db as any;
      const days: [string, number, string, number][] = [
        ['a', 1, 'CODEX_CLI', 2],
        ['a', 1, 'CODEX_IDE_VSCODE', 1],
        ['a', 6, 'CODEX_CLI', 3],
        ['a', 7, 'CODEX_CLI', 4], // not in the 7-day window
        ['a', 61, 'CODEX_CLI', 1],
        ['a', 62, 'CODEX_CLI', 1], // the mask's last day: past every window's bits
        ['b', 29, 'CODEX_CLI', 0], // no turn: a row, no day
        ['c', 0, 'CODEX_CLI', 5], // the anchor day: in no base
      ];
      for (const [i, [user, ago, client, turns]] of days.entries()) {
        const k = { workspace_id: 'w', bucket: A - ago, user_id: user };
        await db
          .insertInto('usage_user_day')
          .values({ ...k, client_id: client, ...counters(turns, i) })
          .execute();
        if (turns > 0)
          await db
            .insertInto('active_user_day_set')
            .values({ ...k, client_id: client })
            .onConflict((oc: any) => oc.doNothing())
            .execute();
      }
      await buildWindows(s.db, 'w', A * DAY_MS + 3_600_000);
      const want = new Map<string, Person>();
      for (const w of [7, 30, 90])
        days.forEach(([user, ago, , turns], i) => {
          if (ago < 1 || ago > w - 1) return;
          const id = `${w}|${A}|${user}`;
          const row = want.get(id) ?? { ...Object.fromEntries(COUNTERS.map((c) => [c, 0])), days: 0n };
          for (const [c, v] of Object.entries(counters(turns, i))) row[c] = Number(row[c]) + v;
          if (turns > 0) row.days = BigInt(row.days) | ((1n << BigInt(ago - 1)) & keep(w));
          want.set(id, row);
        });
      const got = await people(s);
      assert.deepEqual(new Map([...got].filter(([k]) => k.includes(`|${A}|`))), want);
      assert.equal(got.get(`7|${A}|a`)!.days, 1n | (1n << 5n));
      assert.equal(got.get(`90|${A}|a`)!.days, 1n | (1n << 5n) | (1n << 6n) | (1n << 60n));
    });
  });

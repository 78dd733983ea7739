// Migration 0039 on both databases: on a store with rollups already in, the trailing-window tables
// start empty (no base: queries read the day rollups), and the first run of the daily build fills
// them from what is there: per window the sums of its days before the anchor, per person and client
// or model, and each person's mask of active days (any client, per client, per model), checked
// against sums computed here from the rows inserted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COUNTERS } from '../../src/core/rollups.js';
import { buildWindows } from '../../src/ingest/index.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY_MS = 86_400_000;
const A = 20_500; // the anchor: the day the base is built on
// [user, days before the anchor, client, model, turns]
const ROWS: [string, number, string, string, number][] = [
  ['a', 0, 'CODEX_CLI', 'gpt-5.5', 3], // the anchor day itself: in no base
  ['a', 1, 'CODEX_CLI', 'gpt-5.5', 2],
  ['a', 2, 'CODEX_IDE_VSCODE', 'gpt-5.4', 1],
  ['a', 6, 'CODEX_CLI', 'gpt-5.4', 4],
  ['a', 7, 'CODEX_CLI', 'gpt-5.4', 5], // not in the 7-day window (its 6 days before the anchor)
  ['b', 29, 'CODEX_IDE_VSCODE', 'gpt-5.5', 1],
  ['b', 30, 'CODEX_IDE_VSCODE', 'gpt-5.5', 2],
  ['b', 62, 'CODEX_CLI', 'gpt-5.5', 1], // the mask's last day
  ['b', 63, 'CODEX_CLI', 'gpt-5.5', 1], // past the mask
  ['c', 89, 'CODEX_CLI', 'gpt-5.5', 7],
  ['c', 90, 'CODEX_CLI', 'gpt-5.5', 9], // past every window
];
const counters = (turns: number, i: number) =>
  Object.fromEntries(COUNTERS.map((c, k) => [c, c === 'turns' ? turns : turns * (k + 1) + i]));

for (const dialect of DIALECTS)
  describe(`migration 0039 trailing windows (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0038_title_thread_kind');
      const db = s.db as any;
      for (const [i, [user, ago, client, model, turns]] of ROWS.entries()) {
        const k = { workspace_id: 'w', bucket: A - ago, user_id: user };
        await db
          .insertInto('usage_user_day')
          .values({ ...k, client_id: client, ...counters(turns, i) })
          .execute();
        await db
          .insertInto('usage_user_model_day')
          .values({ ...k, model, ...counters(turns, i), threads: 0 })
          .execute();
        await db
          .insertInto('active_user_day_set')
          .values({ ...k, client_id: client })
          .execute();
      }
      await db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 0, settings: '{}' }).execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('starts with no base, and the first build fills it from the rollups already in', async () => {
      assert.deepEqual(await s.db.selectFrom('usage_window_state').selectAll().execute(), []);
      assert.deepEqual(await s.db.selectFrom('usage_user_window').selectAll().execute(), []);
      const built = await buildWindows(s.db, 'w', A * DAY_MS + 3_600_000);
      assert.equal(built.anchor, A);
      const state = await s.db.selectFrom('usage_window_state').selectAll().execute();
      assert.deepEqual(
        state.map((r) => [r.workspace_id, Number(r.anchor)]),
        [['w', A]],
      );

      for (const [table, key] of [
        ['usage_user_window', 'client_id'],
        ['usage_user_model_window', 'model'],
      ] as const) {
        const got = (await (s.db as any).selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
        const want = new Map<string, Record<string, number>>();
        for (const w of [7, 30, 90])
          ROWS.forEach(([user, ago, client, model, turns], i) => {
            if (ago < 1 || ago > w - 1) return;
            const id = `${w}|${user}|${key === 'client_id' ? client : model}`;
            const c: Record<string, number> = { ...counters(turns, i), ...(key === 'model' ? { threads: 0 } : {}) };
            const sum = want.get(id) ?? Object.fromEntries(COUNTERS.map((x) => [x, 0]));
            for (const x of COUNTERS) sum[x] += c[x];
            want.set(id, sum);
          });
        assert.deepEqual(
          new Map(
            got.map((r) => [
              `${r.window_days}|${r.user_id}|${r[key]}`,
              Object.fromEntries(COUNTERS.map((x) => [x, Number(r[x])])),
            ]),
          ),
          want,
          table,
        );
        assert.ok(got.every((r) => Number(r.anchor) === A));
      }

      const masks = await s.db.selectFrom('user_day_mask').selectAll().execute();
      const want = new Map<string, bigint>();
      const mark = (id: string, ago: number) => {
        if (ago < 1 || ago > 62) return;
        want.set(id, (want.get(id) ?? 0n) | (1n << BigInt(ago - 1)));
      };
      for (const [user, ago, client, model] of ROWS) {
        mark(`${user}||`, ago);
        mark(`${user}|${client}|`, ago);
        mark(`${user}||${model}`, ago);
      }
      assert.deepEqual(new Map(masks.map((r) => [`${r.user_id}|${r.client_id}|${r.model}`, BigInt(r.days)])), want);
    });
  });

// Migration 0025 on both databases: skill invocations stored before it (codex_events rows of
// category skill_invocation) are counted into usage_skill_day and usage_skill_week, by UTC day and
// Monday week, user, skill name and scope (a missing name or scope as "unknown"); other events are not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
// Sunday 2026-11-29 23:59:59.999 UTC, then Monday: the week changes between them.
const SUNDAY_END = Date.UTC(2026, 10, 29, 23, 59, 59, 999);
const ROWS = [
  { ts: SUNDAY_END, user: 'u1', name: 'greet', scope: 'user', category: 'skill_invocation' },
  { ts: SUNDAY_END - 1000, user: 'u1', name: 'greet', scope: 'user', category: 'skill_invocation' },
  { ts: SUNDAY_END + 1, user: 'u1', name: 'greet', scope: 'user', category: 'skill_invocation' },
  { ts: SUNDAY_END + 1, user: 'u2', name: 'greet', scope: 'repo', category: 'skill_invocation' },
  { ts: SUNDAY_END + 2 * DAY, user: 'u2', name: null, scope: null, category: 'skill_invocation' },
  { ts: SUNDAY_END + 2 * DAY, user: 'u2', name: null, scope: null, category: 'guardian_assessment' },
];

// Ground truth, by this file's own bucket arithmetic.
function expected(grain: 'day' | 'week') {
  const m = new Map<string, number>();
  for (const r of ROWS) {
    if (r.category !== 'skill_invocation') continue;
    const day = Math.floor(r.ts / DAY);
    const bucket = grain === 'day' ? day : Math.floor((day + 3) / 7);
    const k = [bucket, r.user, r.name ?? 'unknown', r.scope ?? 'unknown'].join('|');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => `${k}|${n}`).sort();
}

for (const dialect of DIALECTS)
  describe(`migration 0025 skill rollups (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect, '0024_session_items_in_chain');
      await s.db
        .insertInto('codex_events')
        .values(
          ROWS.map((r, i) => ({
            workspace_id: 'ws',
            event_key: `event:t:${i}`,
            thread_id: 't',
            user_id: r.user,
            client_id: 'codex_cli',
            ts: r.ts,
            name: 'codex.skill_invocation',
            category: r.category,
            turn_id: null,
            skill_name: r.name,
            skill_scope: r.scope,
            source: 'otlp',
          })),
        )
        .execute();
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('counts the stored invocations per day and week', async () => {
      for (const grain of ['day', 'week'] as const) {
        const rows = await s.db
          .selectFrom(grain === 'day' ? 'usage_skill_day' : 'usage_skill_week')
          .selectAll()
          .execute();
        assert.deepEqual(
          rows.map((r) => [r.bucket, r.user_id, r.skill_name, r.skill_scope, r.invocations].join('|')).sort(),
          expected(grain),
          grain,
        );
      }
    });
  });

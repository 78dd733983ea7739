// Migration 0045 on both databases: on a store that already holds facts of several sources and
// workspaces, source_freshness is filled with each (workspace, source)'s newest fact time over
// every fact table (a tool event stored before 0022 has no source and makes none), Code Review's
// from its reviews and comments, stored_at unknown (null); later writes widen the rows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshnessPart } from '../../src/ingest/index.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { insertMany } from '../../src/platform/storage/bulk-insert.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const turn = (ws: string, key: string, ts: number, source: string) => ({
  workspace_id: ws,
  turn_key: key,
  thread_id: 'th',
  user_id: 'u',
  client_id: 'codex_cli_rs',
  ts,
  source,
});
const thread = (ws: string, id: string, at: number, source: string) => ({
  workspace_id: ws,
  thread_id: id,
  user_id: 'u',
  client_id: 'codex_cli_rs',
  thread_kind: 'main',
  first_seen_at: at,
  source,
});
const tool = (ws: string, key: string, ts: number, source: string | null) => ({
  workspace_id: ws,
  tool_key: key,
  thread_id: 'th',
  user_id: 'u',
  call_id: key,
  ts,
  source,
  gained: 0,
});
const review = (ws: string, key: string, at: number) => ({
  workspace_id: ws,
  review_key: key,
  host: 'github',
  repository: 'acme/api',
  pr_number: '1',
  created_at: at,
  day: Math.floor(at / 86_400_000),
  counted: 1,
});

for (const dialect of DIALECTS)
  describe(`migration 0045 source freshness (${dialect})`, () => {
    let s: TestStore;
    const rows = async () =>
      (await s.db.selectFrom('source_freshness').selectAll().orderBy('workspace_id').orderBy('source').execute()).map(
        (r) => [r.workspace_id, r.source, Number(r.newest_event_at), r.stored_at === null ? null : Number(r.stored_at)],
      );
    before(async () => {
      s = await makeStore(dialect, '0041_active_user_counts');
      await s.db
        .insertInto('turns')
        .values([turn('w1', 'a', 1_000, 'otlp'), turn('w1', 'b', 5_000, 'rollout'), turn('w2', 'c', 2_000, 'otlp')])
        .execute();
      // A thread first seen later than any of its turns; an observation later still, in w2.
      await s.db
        .insertInto('threads')
        .values([thread('w1', 't1', 7_000, 'otlp')])
        .execute();
      await s.db
        .insertInto('tool_events')
        .values([tool('w1', 'k1', 9_000, null), tool('w1', 'k2', 6_000, 'rollout')])
        .execute();
      await s.db
        .insertInto('codex_events')
        .values({
          workspace_id: 'w2',
          event_key: 'e',
          thread_id: 'th',
          user_id: 'u',
          client_id: 'codex_cli_rs',
          ts: 3_000,
          name: 'codex.skill_invocation',
          category: 'skill_invocation',
          source: 'otlp',
        })
        .execute();
      await s.db
        .insertInto('cr_reviews')
        .values([review('w1', 'r1', 4_000), review('w1', 'r2', 8_000)])
        .execute();
      await migrateToLatest(s.db);
    });
    after(async () => s?.close());

    it('fills each workspace and source from its newest fact', async () => {
      assert.deepEqual(await rows(), [
        ['w1', 'code_review', 8_000, null],
        ['w1', 'otlp', 7_000, null], // the thread's first sighting; the source-less tool event (9,000) makes none
        ['w1', 'rollout', 6_000, null],
        ['w2', 'otlp', 3_000, null],
      ]);
    });

    it('later writes only move the times forward', async () => {
      await insertMany(s.db, [
        freshnessPart(
          [
            { workspaceId: 'w1', source: 'otlp', ts: 6_500 }, // older than what is there: newest stays
            { workspaceId: 'w1', source: 'otlp', ts: 6_900 },
            { workspaceId: 'w1', source: 'rollout', ts: 12_000 },
            { workspaceId: 'w3', source: 'api', ts: 1 },
          ],
          50_000,
        ),
      ]);
      await insertMany(s.db, [freshnessPart([{ workspaceId: 'w1', source: 'rollout', ts: 11_000 }], 40_000)]);
      assert.deepEqual(await rows(), [
        ['w1', 'code_review', 8_000, null],
        ['w1', 'otlp', 7_000, 50_000],
        ['w1', 'rollout', 12_000, 50_000], // a write with an earlier clock moves neither time back
        ['w2', 'otlp', 3_000, null],
        ['w3', 'api', 1, 50_000],
      ]);
    });
  });

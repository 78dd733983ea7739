// Migration 0042 on the real PostgreSQL: a store whose search index (0035) holds a copy of content
// in every kind of content partition (0040's `_before`, days made ahead, the default, a type of its
// own) moves into the index's own partitions, each row in the twin of its content's partition with
// its content unchanged; searches after it find what the records and their content hold; retention deletes its rows
// where it deletes the content's and, in a store with days past the cutoff, drops the index's days
// with the content's. The store is filled as the code before 0042 filled it (the
// index rows written by SQL: today's indexer writes the new columns). SQLite is unchanged by 0042.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import { searchPage, type SearchFilter } from '../../src/compliance/reads/search.repository.js';
import { retentionDaysOf, runRetention } from '../../src/compliance/retention/retention.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { migrateToLatest, migrateUpTo } from '../../src/migrations/migrate.js';
import { addRangePartition, dayPartitionName, startOfDay } from '../../src/platform/storage/partitions.js';
import { appendN } from '../support/compliance.js';
import { tableExists } from '../support/partitions.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const CONTENT = 'compliance_content_codex_log';
const INDEX = 'compliance_search_index_codex_log';

const days = retentionDaysOf({ codex_log_days: 30, codex_security_log_days: 0, audit_log_days: 0, auth_log_days: 0 });

type Row = { workspace_id: string; seq: number; content: string };
const indexRows = async (s: TestStore): Promise<Row[]> =>
  (
    await sql<{ workspace_id: string; seq: string; content: string }>`select workspace_id, seq, content
      from compliance_search_index order by 1, 2`.execute(s.db)
  ).rows.map((r) => ({ ...r, seq: Number(r.seq) }));

if (DIALECTS.includes('postgres'))
  describe('migration 0042: the search index into partitions (postgres)', () => {
    let s: TestStore;
    const today = startOfDay(Date.now());
    // (untilSeq: past every head, as the API's is the head's seq)
    const searches: [string, SearchFilter][] = [
      ['ws-1', { text: 'needle', order: 'asc' }],
      ['ws-1', { text: 'needle', order: 'desc' }],
      ['ws-1', { text: 'prompt number', order: 'asc', userId: 'u1' }],
      ['ws-2', { text: 'needle', order: 'asc' }],
      ['ws-2', { text: 'number', order: 'desc', eventTypes: ['AUDIT_LOG'] }],
    ];
    const searchAll = async () =>
      Promise.all(
        searches.map(async ([ws, f]) =>
          (await searchPage(s.db, ws, { ...f, untilSeq: 100 }, 100)).rows.map((r) => r.seq),
        ),
      );
    // What each search must find, read in SQL from the records and their content, not through the
    // search code (which, on PostgreSQL, names the index's type and time: columns 0042 adds).
    const truth = async () =>
      Promise.all(
        searches.map(async ([ws, f]) => {
          const rows = await sql<{ seq: string }>`select r.seq from compliance_records r
            join compliance_content c on c.workspace_id = r.workspace_id and c.seq = r.seq
            where r.workspace_id = ${ws} and c.content ilike ${`%${f.text}%`}
              and (${f.userId ?? null}::text is null or r.user_id = ${f.userId ?? null})
              and (${f.eventTypes?.[0] ?? null}::text is null or r.event_type = ${f.eventTypes?.[0] ?? null})
            order by r.seq ${f.order === 'desc' ? sql`desc` : sql`asc`}`.execute(s.db);
          return rows.rows.map((r) => Number(r.seq));
        }),
      );
    let before0042: Row[];
    let found: number[][];
    before(async () => {
      s = await makeStore('postgres', '0039_trailing_windows');
      const needle = (n: number, o = {}) => ({ content: { kind: 'prompt', n, prompt: { text: `needle ${n}` } }, ...o });
      // Content before 0040 (into its `_before`): old CODEX_LOG, and AUDIT_LOG (a table of its own).
      await appendN(s.db, 'ws-1', 6, needle(0, { ts: Date.now() - 40 * DAY }), 3);
      await appendN(s.db, 'ws-2', 3, { ts: Date.now() - 3 * DAY, eventType: 'AUDIT_LOG' }, 3);
      await migrateUpTo(s.db, '0041_active_user_counts');
      // Then into the days 0040 made ahead, and past them (the default).
      await appendN(s.db, 'ws-1', 4, { ts: today + 2 * DAY + 5 }, 2);
      await appendN(s.db, 'ws-2', 3, needle(1, { ts: today + 3 }), 3);
      await appendN(s.db, 'ws-1', 2, needle(2, { ts: today + 20 * DAY }), 2);
      // The index as the code before 0042 kept it, the last of ws-1 past its watermark.
      await sql`insert into compliance_search_index (workspace_id, seq, content)
        select workspace_id, seq, content from compliance_content
        where workspace_id = 'ws-2' or seq <= 11`.execute(s.db);
      await sql`insert into compliance_search_workspaces (workspace_id, indexed_seq)
        values ('ws-1', 11), ('ws-2', 6)`.execute(s.db);
      before0042 = await indexRows(s);
      assert.equal(before0042.length, 17);
      found = await truth();
      assert.deepEqual(
        found.map((f) => f.length),
        [8, 8, 4, 3, 3],
        'the fixture finds something in every search',
      );
      await migrateToLatest(s.db);
    });
    after(() => s?.cleanup());

    it('moves every index row into the twin of its content partition, content unchanged', async () => {
      assert.deepEqual(await indexRows(s), before0042);
      const where = await sql<{ ws: string; seq: string; i: string; c: string; same: boolean }>`
        select i.workspace_id as ws, i.seq, i.tableoid::regclass::text as i, c.tableoid::regclass::text as c,
          (i.event_type, i.ts) = (r.event_type, r.ts) as same
        from compliance_search_index i
        join compliance_content c on c.workspace_id = i.workspace_id and c.seq = i.seq
        join compliance_records r on r.workspace_id = i.workspace_id and r.seq = i.seq`.execute(s.db);
      assert.equal(where.rows.length, 17);
      const seen = new Set<string>();
      for (const r of where.rows) {
        assert.equal(r.same, true, `${r.ws} ${r.seq}: type and time of its record`);
        assert.equal(r.i, r.c.replace(/^compliance_content_/, 'compliance_search_index_'), `${r.ws} ${r.seq}`);
        seen.add(r.i);
      }
      assert.deepEqual(
        [...seen].sort(),
        [
          `${INDEX}_before`,
          `${INDEX}_default`,
          dayPartitionName(INDEX, today),
          dayPartitionName(INDEX, today + 2 * DAY),
          'compliance_search_index_audit_log',
        ].sort(),
      );
      // The twin of every content day, attached, whatever rows it has.
      for (let d = 0; d < 7; d++)
        assert.equal((await tableExists(s.db, dayPartitionName(INDEX, today + d * DAY))).attached, true);
    });

    it('searches answer the same; the indexer goes on from its watermark', async () => {
      assert.deepEqual(await searchAll(), found);
      assert.equal(await indexPending(s.db), 1);
      assert.equal((await indexRows(s)).length, 18);
      assert.deepEqual(await searchAll(), found);
    });

    it('retention deletes the index rows of the `_before` partition, which straddles the cutoff', async () => {
      const r = await runRetention(s.db, 'ws-1', days, SYSTEM);
      assert.equal(r.purged.CODEX_LOG, 6);
      assert.deepEqual(r.partitions_dropped, []);
      const left = await indexRows(s);
      assert.deepEqual(
        left.filter((x) => x.workspace_id === 'ws-1').map((x) => x.seq),
        [7, 8, 9, 10, 11, 12],
      );
      assert.equal((await verifyChain(s.db, 'ws-1')).ok, true);
      assert.deepEqual(
        (await searchPage(s.db, 'ws-1', { text: 'needle', order: 'asc', untilSeq: 100 }, 100)).rows.map((x) => x.seq),
        [11, 12],
      );
    });
  });

if (DIALECTS.includes('postgres'))
  describe('migration 0042, then retention drops the index days with the content days (postgres)', () => {
    let s: TestStore;
    const first = startOfDay(Date.now()) - 45 * DAY; // days -45 .. -41: past a 30-day cutoff
    before(async () => {
      s = await makeStore('postgres', '0041_active_user_counts');
      // The days as the job before 0042 made them: the content's only.
      for (let d = 0; d < 5; d++)
        await addRangePartition(
          s.db,
          CONTENT,
          'ts',
          dayPartitionName(CONTENT, first + d * DAY),
          first + d * DAY,
          first + (d + 1) * DAY,
        );
      await appendN(s.db, 'ws-1', 5, { ts: first + 10 }, 5);
      await appendN(s.db, 'ws-2', 4, { ts: first + 3 * DAY + 10 }, 4);
      await appendN(s.db, 'ws-1', 3, {}, 3); // today: kept
      await sql`insert into compliance_search_index (workspace_id, seq, content)
        select workspace_id, seq, content from compliance_content`.execute(s.db);
      await sql`insert into compliance_search_workspaces (workspace_id, indexed_seq)
        values ('ws-1', 8), ('ws-2', 4)`.execute(s.db);
      await migrateToLatest(s.db);
    });
    after(() => s?.cleanup());

    it('makes the twin of each day, then drops both with the removal records; verify passes', async () => {
      const twins = Array.from({ length: 5 }, (_, d) => dayPartitionName(INDEX, first + d * DAY));
      for (const t of twins) assert.deepEqual(await tableExists(s.db, t), { inClass: true, attached: true }, t);
      const r = await runRetention(s.db, 'ws-1', days, SYSTEM);
      assert.deepEqual(
        [...r.partitions_dropped].sort(),
        Array.from({ length: 5 }, (_, d) => dayPartitionName(CONTENT, first + d * DAY)).sort(),
      );
      assert.equal(r.purged.CODEX_LOG, 5);
      for (const t of twins) assert.deepEqual(await tableExists(s.db, t), { inClass: false, attached: false }, t);
      assert.deepEqual(
        (await indexRows(s)).map((x) => `${x.workspace_id}:${x.seq}`),
        ['ws-1:6', 'ws-1:7', 'ws-1:8'],
      );
      for (const ws of ['ws-1', 'ws-2']) {
        const v = await verifyChain(s.db, ws);
        assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      }
      assert.equal((await verifyChain(s.db, 'ws-2')).content_removed_by_retention, 4);
    });
  });

// Retention by partition on the real PostgreSQL (decisions/0045): a day of CODEX_LOG content wholly
// past the cutoff is dropped as a table (gone from pg_class and pg_inherits, not only emptied), after
// the removal records of every seq in it were appended to each workspace's chain, and verify passes;
// a day a legal hold reaches falls back to row deletes; late events land in the default partition
// and are kept or removed by their own time. The search index's copies (0042) are in the twin
// partitions of the index and go with them. The ground truth (which seqs are old, whose, held) is
// taken from the drafts appended here, not from the code under test. SQLite has no partitions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { RecordDraft } from '../../src/core/compliance.js';
import { parseRemoval } from '../../src/core/compliance-removals.js';
import { appendRecords } from '../../src/compliance/chain/chain.repository.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { makeContentPartitionsAhead } from '../../src/compliance/retention/partitions.service.js';
import {
  placeHold,
  releaseHold,
  retentionDaysOf,
  runRetention,
} from '../../src/compliance/retention/retention.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import { addRangePartition, dayPartitionName, startOfDay } from '../../src/platform/storage/partitions.js';
import type { Db } from '../../src/platform/storage/database.js';
import { draft } from '../support/compliance.js';
import { partitionOf, tableExists } from '../support/partitions.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const PARENT = 'compliance_content_codex_log';
const INDEX = 'compliance_search_index_codex_log'; // the search index's twin partitions (0042)

// The partition of the search index holding the record's copy.
async function indexPartitionOf(db: Db, ws: string, seq: number): Promise<string | undefined> {
  const r = await sql<{ p: string }>`select tableoid::regclass::text as p from compliance_search_index
    where workspace_id = ${ws} and seq = ${seq}`.execute(db);
  return r.rows[0]?.p;
}
const days = retentionDaysOf({ codex_log_days: 30, codex_security_log_days: 0, audit_log_days: 0, auth_log_days: 0 });

// Appends drafts and returns their seqs, in order.
async function append(db: Db, ws: string, drafts: RecordDraft[]): Promise<number[]> {
  return db.transaction().execute(async (trx) => (await appendRecords(trx, ws, drafts)).map((r) => r.seq));
}

async function hasContent(db: Db, ws: string, seq: number): Promise<boolean> {
  const r = await db
    .selectFrom('compliance_content')
    .select('seq')
    .where('workspace_id', '=', ws)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return r !== undefined;
}

// The seqs the workspace's removal records list for CODEX_LOG, flattened.
async function removedSeqs(db: Db, ws: string): Promise<number[]> {
  const rows = await sql<{ seq: string; event_type: string; recorded_at: string; content: string }>`
    select r.seq, r.event_type, r.recorded_at, c.content from compliance_removals x
    join compliance_records r on r.workspace_id = x.workspace_id and r.seq = x.seq
    join compliance_content c on c.workspace_id = r.workspace_id and c.seq = r.seq
    where x.workspace_id = ${ws} and x.event_type = 'CODEX_LOG' order by r.seq`.execute(db);
  const out: number[] = [];
  for (const row of rows.rows) {
    const rec = { ...row, seq: Number(row.seq), recorded_at: Number(row.recorded_at) };
    assert.equal(typeof parseRemoval(rec), 'object', `removal at ${row.seq} is valid`);
    for (const [a, b] of JSON.parse(row.content).after.seqs as [number, number][])
      for (let s = a; s <= b; s++) out.push(s);
  }
  return out.sort((a, b) => a - b);
}

if (DIALECTS.includes('postgres'))
  describe('content partitions and retention (postgres)', () => {
    let s: TestStore;
    const now = Date.now();
    const day = (d: number) => startOfDay(now) + d * DAY; // d days from today's start
    before(async () => {
      s = await makeStore('postgres');
      // Ten days of partitions, 45 to 36 days ago: wholly older than a 30-day cutoff.
      await makeContentPartitionsAhead(s.db, day(-45), 10);
    });
    after(() => s?.cleanup());

    it('drops the days wholly past the cutoff, explained in every workspace, and verify passes', async () => {
      const old1 = await append(s.db, 'ws-a', [
        draft(1, { ts: day(-44) + 5 }),
        draft(2, { ts: day(-44) + 6 }),
        draft(3, { ts: day(-40) }),
      ]);
      const oldB = await append(s.db, 'ws-b', [draft(4, { ts: day(-44) + 7 }), draft(5, { ts: day(-37) })]);
      const kept1 = await append(s.db, 'ws-a', [draft(6), draft(7, { eventType: 'AUTH_LOG', ts: day(-44) })]);
      const keptB = await append(s.db, 'ws-b', [draft(8)]);
      assert.equal(await partitionOf(s.db, 'ws-a', old1[0]), dayPartitionName(PARENT, day(-44)));
      assert.equal(await partitionOf(s.db, 'ws-b', oldB[1]), dayPartitionName(PARENT, day(-37)));

      await indexPending(s.db); // the search index holds a copy of the content, which must go too
      assert.equal(await indexPartitionOf(s.db, 'ws-a', old1[0]), dayPartitionName(INDEX, day(-44)));
      assert.equal(await indexPartitionOf(s.db, 'ws-b', oldB[1]), dayPartitionName(INDEX, day(-37)));
      const r = await runRetention(s.db, 'ws-a', days, SYSTEM);
      const expired = Array.from({ length: 10 }, (_, i) => dayPartitionName(PARENT, day(-45 + i)));
      assert.deepEqual([...r.partitions_dropped].sort(), expired.sort());
      assert.equal(r.purged.CODEX_LOG, old1.length);
      for (const p of expired) assert.deepEqual(await tableExists(s.db, p), { inClass: false, attached: false }, p);
      for (let i = 0; i < 10; i++) {
        const twin = dayPartitionName(INDEX, day(-45 + i));
        assert.deepEqual(await tableExists(s.db, twin), { inClass: false, attached: false }, twin);
      }
      // Today's partition and the default stay.
      assert.deepEqual(await tableExists(s.db, dayPartitionName(PARENT, day(0))), { inClass: true, attached: true });
      assert.deepEqual(await tableExists(s.db, `${PARENT}_default`), { inClass: true, attached: true });

      assert.deepEqual(await removedSeqs(s.db, 'ws-a'), old1);
      assert.deepEqual(await removedSeqs(s.db, 'ws-b'), oldB);
      for (const seq of old1) assert.equal(await hasContent(s.db, 'ws-a', seq), false);
      for (const seq of kept1) assert.equal(await hasContent(s.db, 'ws-a', seq), true);
      for (const seq of keptB) assert.equal(await hasContent(s.db, 'ws-b', seq), true);
      const indexed = async (ws: string) =>
        (
          await sql<{ seq: string }>`select seq from compliance_search_index where workspace_id = ${ws}
          order by seq`.execute(s.db)
        ).rows.map((x) => Number(x.seq));
      assert.deepEqual(await indexed('ws-b'), keptB);
      assert.ok((await indexed('ws-a')).every((q) => !old1.includes(q)));
      for (const ws of ['ws-a', 'ws-b']) {
        const v = await verifyChain(s.db, ws);
        assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      }
      assert.equal((await verifyChain(s.db, 'ws-a')).content_removed_by_retention, old1.length);
      assert.equal((await verifyChain(s.db, 'ws-b')).content_removed_by_retention, oldB.length);
      // ws-b's own run finds nothing left to remove.
      assert.equal((await runRetention(s.db, 'ws-b', days, SYSTEM)).purged.CODEX_LOG, 0);
    });

    it('a day a legal hold reaches falls back to row deletes, and is dropped once released', async () => {
      const held = day(-33);
      await makeContentPartitionsAhead(s.db, held, 1);
      const name = dayPartitionName(PARENT, held);
      const seqs = await append(s.db, 'ws-h', [
        draft(1, { ts: held + 1, userId: 'u-held' }),
        draft(2, { ts: held + 2, userId: 'u-free' }),
        draft(3, { ts: held + 3, userId: 'u-free' }),
      ]);
      const hold = await placeHold(s.db, 'ws-h', { threadId: draft(1).threadId!, reason: 'case 1' }, SYSTEM);
      const r = await runRetention(s.db, 'ws-h', days, SYSTEM);
      assert.deepEqual(r.partitions_dropped, []);
      assert.equal(r.purged.CODEX_LOG, 2);
      assert.deepEqual(await tableExists(s.db, name), { inClass: true, attached: true });
      assert.deepEqual(
        await Promise.all(seqs.map((q) => hasContent(s.db, 'ws-h', q))),
        [true, false, false],
        'the held record keeps its content, the others are deleted',
      );
      assert.equal((await verifyChain(s.db, 'ws-h')).ok, true);

      await releaseHold(s.db, 'ws-h', hold.id, SYSTEM);
      const r2 = await runRetention(s.db, 'ws-h', days, SYSTEM);
      assert.deepEqual(r2.partitions_dropped, [name]);
      assert.equal(r2.purged.CODEX_LOG, 1);
      assert.deepEqual(await tableExists(s.db, name), { inClass: false, attached: false });
      assert.deepEqual(await removedSeqs(s.db, 'ws-h'), seqs);
      const v = await verifyChain(s.db, 'ws-h');
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      assert.equal(v.content_removed_by_retention, 3);
    });

    it('late events land in the default partition and are kept or removed by their own time', async () => {
      const [late, recent, ahead] = await append(s.db, 'ws-l', [
        draft(1, { ts: day(-60) }), // its day was never made (or already dropped)
        draft(2, { ts: day(-5) }), // no partition either, but within retention
        draft(3, { ts: day(20) }), // dated past the week made ahead
      ]);
      const dflt = `${PARENT}_default`;
      for (const q of [late, recent, ahead]) assert.equal(await partitionOf(s.db, 'ws-l', q), dflt);
      const r = await runRetention(s.db, 'ws-l', days, SYSTEM);
      assert.equal(r.purged.CODEX_LOG, 1);
      assert.deepEqual(await Promise.all([late, recent, ahead].map((q) => hasContent(s.db, 'ws-l', q))), [
        false,
        true,
        true,
      ]);
      assert.deepEqual(await removedSeqs(s.db, 'ws-l'), [late]);
      assert.deepEqual(await tableExists(s.db, dflt), { inClass: true, attached: true });
      assert.equal((await verifyChain(s.db, 'ws-l')).ok, true);
      // When its day is made, the event dated ahead moves out of the default into it.
      await indexPending(s.db);
      assert.equal(await indexPartitionOf(s.db, 'ws-l', ahead), `${INDEX}_default`);
      assert.deepEqual(await makeContentPartitionsAhead(s.db, day(20), 1), [
        dayPartitionName(PARENT, day(20)),
        dayPartitionName(INDEX, day(20)),
      ]);
      assert.equal(await partitionOf(s.db, 'ws-l', ahead), dayPartitionName(PARENT, day(20)));
      assert.equal(await indexPartitionOf(s.db, 'ws-l', ahead), dayPartitionName(INDEX, day(20)));
      assert.equal(await partitionOf(s.db, 'ws-l', recent), dflt);
    });

    it('a day without its twin in the index is dropped, and its index rows deleted from the default', async () => {
      const d = day(-50);
      await addRangePartition(s.db, PARENT, 'ts', dayPartitionName(PARENT, d), d, d + DAY); // the content's only
      const seqs = await append(s.db, 'ws-t', [draft(1, { ts: d + 1 }), draft(2, { ts: d + 2 })]);
      const kept = await append(s.db, 'ws-t', [draft(3)]);
      await indexPending(s.db);
      for (const q of seqs) assert.equal(await indexPartitionOf(s.db, 'ws-t', q), `${INDEX}_default`);
      const r = await runRetention(s.db, 'ws-t', days, SYSTEM);
      assert.deepEqual(r.partitions_dropped, [dayPartitionName(PARENT, d)]);
      const rows = await sql<{ seq: string }>`select seq from compliance_search_index where workspace_id = 'ws-t'
        order by seq`.execute(s.db);
      assert.deepEqual(
        rows.rows.map((x) => Number(x.seq)),
        kept,
      );
      assert.equal((await verifyChain(s.db, 'ws-t')).ok, true);
    });
  });

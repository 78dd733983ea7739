// The log-file index (compliance_log_index) is not chained: verify recomputes it from the records
// (one grouped scan) and fails with log_index_mismatch naming the rows that differ, and reindex
// rebuilds it from the chain, audited. Tampering done as raw SQL on the real databases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { appendRecords } from '../../src/compliance/chain/chain.repository.js';
import { reindexLogs } from '../../src/compliance/reads/log-index.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { appendN, chainRows, draft } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`log-file index against the chain (${dialect})`, () => {
    let s: TestStore;
    let n = 0;
    const fresh = () => `ws-ix${++n}`;
    before(async () => {
      s = await makeStore(dialect);
    });
    after(() => s.cleanup());

    // Two event types, every record in one minute (a chain that straddled a minute is made again).
    async function chain(): Promise<string> {
      const ws = fresh();
      await appendN(s.db, ws, 12, {}, 4);
      await s.db
        .transaction()
        .execute((trx) =>
          appendRecords(trx, ws, [draft(1, { eventType: 'AUDIT_LOG' }), draft(2, { eventType: 'AUDIT_LOG' })]),
        );
      if (new Set((await chainRows(s.db, ws)).map((r) => Math.floor(Number(r.recorded_at) / MINUTE))).size > 1)
        return chain();
      const ok = await verifyChain(s.db, ws);
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      assert.deepEqual([ok.log_index.ok, ok.log_index.differing], [true, 0]);
      return ws;
    }
    const indexRows = (ws: string) =>
      s.db
        .selectFrom('compliance_log_index')
        .selectAll()
        .where('workspace_id', '=', ws)
        .orderBy('event_type')
        .orderBy('minute')
        .execute();

    it('deleted index rows fail verify, naming the event type and minute and the command that rebuilds them', async () => {
      const ws = await chain();
      const minute = Math.floor(Number((await chainRows(s.db, ws))[0].recorded_at) / MINUTE);
      await sql`delete from compliance_log_index where workspace_id = ${ws} and event_type = 'CODEX_LOG'`.execute(s.db);
      const bad = await verifyChain(s.db, ws);
      assert.equal(bad.ok, false);
      assert.equal(bad.problems, 1);
      assert.deepEqual([bad.first_bad?.reason, bad.first_bad?.seq], ['log_index_mismatch', 1]);
      assert.match(bad.first_bad!.detail, /CODEX_LOG \d{4}-\d\d-\d\dT\d\d:\d\dZ: index 0 records, chain 12/);
      assert.match(bad.first_bad!.detail, /steward compliance reindex/);
      assert.deepEqual(
        bad.log_index.differences.map((d) => [d.event_type, d.minute, d.index, d.chain?.records]),
        [['CODEX_LOG', minute, null, 12]],
      );
      // The chain itself is intact: every record still verified.
      assert.equal(bad.records, 14);
    });

    it('altered counts, max_ts and a forged row fail verify; reindex restores the index, audited', async () => {
      const ws = await chain();
      const before = await indexRows(ws);
      await sql`update compliance_log_index set records = records - 3 where workspace_id = ${ws} and event_type = 'CODEX_LOG'`.execute(
        s.db,
      );
      await sql`update compliance_log_index set max_ts = max_ts + 1000 where workspace_id = ${ws} and event_type = 'AUDIT_LOG'`.execute(
        s.db,
      );
      await sql`insert into compliance_log_index (workspace_id, event_type, minute, records, first_seq, last_seq, last_recorded_at, max_ts) values (${ws}, 'AUTH_LOG', 1, 1, 1, 1, 1, 1)`.execute(
        s.db,
      );
      const bad = await verifyChain(s.db, ws);
      assert.equal(bad.ok, false);
      assert.equal(bad.first_bad?.reason, 'log_index_mismatch');
      assert.deepEqual(
        bad.log_index.differences.map((d) => [d.event_type, d.index?.records ?? 0, d.chain?.records ?? 0]),
        [
          ['AUDIT_LOG', 2, 2],
          ['AUTH_LOG', 1, 0],
          ['CODEX_LOG', 9, 12],
        ],
      );
      assert.match(bad.first_bad!.detail, /AUDIT_LOG [^;]*: max_ts index \d+, chain \d+/);

      const r = await reindexLogs(s.db, ws, SYSTEM);
      assert.deepEqual([r.head_seq, r.rows, r.changed, r.added, r.corrected, r.removed], [14, 2, 3, 0, 2, 1]);
      // The rebuilt rows are the ones the appends wrote; the reindex's own audit record is indexed as any append.
      const afterRows = await indexRows(ws);
      const norm = (rows: typeof before) =>
        rows.filter((x) => x.event_type === 'CODEX_LOG').map((x) => Object.values(x).map(String));
      assert.deepEqual(norm(afterRows), norm(before));
      const ok = await verifyChain(s.db, ws);
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      const last = (await chainRows(s.db, ws)).at(-1)!;
      const content = JSON.parse(
        (
          await s.db
            .selectFrom('compliance_content')
            .select('content')
            .where('workspace_id', '=', ws)
            .where('seq', '=', Number(last.seq))
            .executeTakeFirstOrThrow()
        ).content,
      );
      assert.equal(last.event_type, 'AUDIT_LOG');
      assert.equal(content.action, 'compliance.log_index_rebuilt');
      assert.deepEqual(
        [content.after.changed, content.after.added, content.after.corrected, content.after.removed],
        [3, 0, 2, 1],
      );
      assert.equal(content.after.changes.length, 3);

      const again = await reindexLogs(s.db, ws, SYSTEM);
      assert.equal(again.changed, 0);
    });

    it('verify while appends commit finds the index intact (no false mismatch from the race)', async () => {
      const ws = await chain();
      let appending = true;
      const writer = (async () => {
        for (let i = 0; appending && i < 400; i++) {
          const eventType = i % 2 ? 'CODEX_LOG' : 'AUDIT_LOG';
          await s.db
            .transaction()
            .execute((trx) => appendRecords(trx, ws, [draft(i, { eventType }), draft(i + 1, { eventType })]));
        }
      })();
      try {
        for (let i = 0; i < 15; i++) {
          const v = await verifyChain(s.db, ws);
          assert.equal(v.ok, true, JSON.stringify(v.first_bad));
        }
      } finally {
        appending = false;
        await writer;
      }
    });

    it('an index that never existed (a chain written before it, or all rows deleted) is rebuilt whole', async () => {
      const ws = await chain();
      await sql`delete from compliance_log_index where workspace_id = ${ws}`.execute(s.db);
      assert.equal((await verifyChain(s.db, ws)).log_index.differing, 2);
      const r = await reindexLogs(s.db, ws, SYSTEM);
      assert.deepEqual([r.changed, r.added], [2, 2]);
      assert.equal((await verifyChain(s.db, ws)).ok, true);
    });
  });
}

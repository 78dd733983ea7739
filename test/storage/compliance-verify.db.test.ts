// Windows of the chain checked whole (compliance-verify.repository.ts: recomputed by PostgreSQL,
// or from the headers SQLite writes) must agree with the client's hashing (core/compliance.ts): a
// clean chain with every awkward string a field can hold (quotes, backslashes, control characters,
// non-ASCII, emoji, nulls) is intact, and each kind of tampering makes the window not intact, so
// the client checks it record by record.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { GENESIS_HASH } from '../../src/core/compliance.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { openStore } from '../../src/platform/storage/database.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { getHead } from '../../src/compliance/chain/chain.repository.js';
import {
  summarizesWindows,
  verifiesInDatabase,
  withWindowVerifier,
  type WindowSummary,
} from '../../src/compliance/verify/verify.repository.js';
import { appendN, chainRows, tamper } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const AWKWARD = [
  'quote " and \\ backslash',
  'controls \b\f\n\r\t \u0001 \u001f \u007f',
  'é中 😀 \u2028\u2029',
  '</script>',
  '',
];

for (const dialect of DIALECTS) {
  describe(`windows of the chain checked whole (${dialect})`, () => {
    let s: TestStore;
    let n = 0;
    const fresh = () => `ws-"${++n}\\é`;
    before(async () => {
      s = await makeStore(dialect);
    });
    after(() => s.cleanup());

    const summary = (
      ws: string,
      after: number,
      until: number,
      cutoffs = new Map<string, number>(),
      seqs: number[] = [],
    ): Promise<WindowSummary> => withWindowVerifier(s.db, (v) => v.summarize(ws, after, until, seqs, [...cutoffs]));

    async function awkwardChain(): Promise<string> {
      const ws = fresh();
      for (const [i, text] of AWKWARD.entries()) {
        await appendN(
          s.db,
          ws,
          3,
          {
            userId: text,
            threadId: i % 2 ? null : text,
            eventType: i % 2 ? 'AUDIT_LOG' : 'CODEX_LOG',
            content: { text, n: i, nested: { [text]: [text, null, 1.5, -0] } },
          },
          2,
        );
      }
      return ws;
    }

    it('finds a chain of awkward strings intact, with the hashes the client computed', async () => {
      const ws = await awkwardChain();
      const rows = await chainRows(s.db, ws);
      const head = (await getHead(s.db, ws))!;
      const w = await summary(ws, 0, head.seq, new Map(), [2, 9, 99]);
      assert.deepEqual(
        { ...w, hashes: [...w.hashes] },
        {
          records: 15,
          first: 1,
          last: 15,
          intact: true,
          removed: 0,
          firstPrevHash: GENESIS_HASH,
          lastHash: head.hash,
          hashes: [
            [2, rows[1].hash],
            [9, rows[8].hash],
          ],
        },
      );
      // A window inside the chain starts from its predecessor's hash.
      const inner = await summary(ws, 4, 11);
      assert.deepEqual(
        [inner.intact, inner.records, inner.firstPrevHash, inner.lastHash],
        [true, 7, rows[3].hash, rows[10].hash],
      );
      assert.equal(verifiesInDatabase(s.db), dialect === 'postgres');
      assert.equal(summarizesWindows(s.db), true);
      await s.db
        .transaction()
        .execute(async (trx) => assert.deepEqual([verifiesInDatabase(trx), summarizesWindows(trx)], [false, false]));
    });

    const cases: [string, (ws: string) => Promise<void>][] = [
      ['one byte of content', (ws) => tamper.contentByte(s.db, ws, 5)],
      ['one byte of a hash', (ws) => tamper.hashByte(s.db, ws, 5)],
      ['two records swapped', (ws) => tamper.reorder(s.db, ws, 5, 8)],
      ['content deleted with no retention run', (ws) => tamper.deleteContent(s.db, ws, 5)],
    ];
    for (const [what, act] of cases) {
      it(`does not find the window intact after ${what}`, async () => {
        const ws = await awkwardChain();
        await act(ws);
        assert.equal((await summary(ws, 0, 15)).intact, false);
        assert.equal((await summary(ws, 8, 15)).intact, true, 'a window after the damage is untouched');
      });
    }

    it('compares record hashes as text, as the client does (decode would take upper-case hex)', async () => {
      const ws = await awkwardChain();
      const last = (await chainRows(s.db, ws))[14];
      await s.db
        .updateTable('compliance_records')
        .set({ hash: last.hash.toUpperCase() })
        .where('workspace_id', '=', ws)
        .where('seq', '=', 15)
        .execute();
      assert.equal((await summary(ws, 0, 15)).intact, false);
      const inDb = await verifyChain(s.db, ws);
      const byRecord = await s.db.transaction().execute((trx) => verifyChain(trx, ws));
      assert.deepEqual(inDb.first_bad, byRecord.first_bad);
      assert.deepEqual(inDb.first_bad && [inDb.first_bad.seq, inDb.first_bad.reason], [15, 'hash_mismatch']);
    });

    if (dialect === 'sqlite')
      it('takes a field stored as a BLOB (json_array refuses it) to the record path, which names it', async () => {
        const ws = await awkwardChain();
        await sql`update compliance_records set id = cast(id as blob) where workspace_id = ${ws} and seq = 5`.execute(
          s.db,
        );
        assert.equal((await summary(ws, 0, 15)).intact, false);
        const r = await verifyChain(s.db, ws);
        assert.deepEqual(r.first_bad && [r.first_bad.seq, r.first_bad.reason], [5, 'hash_mismatch']);
      });

    if (dialect === 'sqlite')
      it('verifies an in-memory database with helper threads (which cannot open it) on this thread', async () => {
        const mem = openStore({ sqliteFile: ':memory:' });
        try {
          await migrateToLatest(mem.db);
          await appendN(mem.db, 'ws-mem', 60, {}, 20);
          await tamper.contentByte(mem.db, 'ws-mem', 33);
          const r = await verifyChain(mem.db, 'ws-mem', { store: mem, workers: 2, parallelFrom: 0, rangeSize: 20 });
          assert.deepEqual([r.records, r.first_bad?.seq, r.first_bad?.reason], [60, 33, 'content_altered']);
        } finally {
          await mem.close();
        }
      });

    it('counts content removed before a retention cutoff, and only then', async () => {
      const ws = await awkwardChain();
      await tamper.deleteContent(s.db, ws, 4);
      const ts = Number((await chainRows(s.db, ws))[3].ts);
      const covered = await summary(ws, 0, 15, new Map([['AUDIT_LOG', ts + 1]]));
      assert.deepEqual([covered.intact, covered.removed], [true, 1]);
      assert.equal((await summary(ws, 0, 15, new Map([['AUDIT_LOG', ts]]))).intact, false);
      assert.equal((await summary(ws, 0, 15, new Map([['CODEX_LOG', ts + 1]]))).intact, false);
    });

    it('verifyChain gives the same report through the database and record by record', async () => {
      const ws = await awkwardChain();
      await tamper.deleteRecord(s.db, ws, 6);
      await tamper.contentByte(s.db, ws, 12);
      const inDb = await verifyChain(s.db, ws);
      const byRecord = await s.db.transaction().execute((trx) => verifyChain(trx, ws));
      assert.deepEqual(
        [inDb.ok, inDb.first_bad, inDb.problems, inDb.records],
        [false, byRecord.first_bad, byRecord.problems, byRecord.records],
      );
      assert.deepEqual(inDb.first_bad && [inDb.first_bad.seq, inDb.first_bad.reason], [6, 'missing_records']);
    });
  });
}

// The streaming chain reader (verify, export, log files) on both databases returns exactly what
// listRecords returns: every field, content that spans COPY chunks, non-ASCII text, content removed
// by retention, filters dense and sparse, windows of any size, a consumer that stops early (the
// connection goes back to the pool usable, its planner settings reset), a read beside an open
// transaction. Plus the binary COPY parser fed byte by byte.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StreamedRecord } from '../../src/core/compliance.js';
import { recordLine } from '../../src/core/compliance-record-line.js';
import { sql } from 'kysely';
import { openStore } from '../../src/platform/storage/database.js';
import { BinaryCopyParser } from '../../src/platform/storage/pg-copy.js';
import { getHead, listRecords } from '../../src/compliance/chain/chain.repository.js';
import { scanRecords } from '../../src/compliance/chain/scan.repository.js';
import { appendN, tamper } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const asText = (r: StreamedRecord) =>
  recordLine({
    ...r,
    content:
      r.content === null ? null : typeof r.content === 'string' ? r.content : Buffer.from(r.content).toString('utf8'),
  });

async function scanned(
  s: TestStore,
  ws: string,
  after: number,
  until: number,
  opts: Parameters<typeof scanRecords>[4] = {},
): Promise<string[]> {
  const out: string[] = [];
  for await (const rows of scanRecords(s.db, ws, after, until, opts)) for (const r of rows) out.push(asText(r));
  return out;
}

for (const dialect of DIALECTS) {
  describe(`streaming chain reads (${dialect})`, () => {
    let s: TestStore;
    const ws = 'ws-scan';
    before(async () => {
      s = await makeStore(dialect);
      await appendN(s.db, ws, 30);
      // Text past the socket's chunk size, multi-byte characters, quotes and control characters.
      await appendN(s.db, ws, 4, {
        content: { big: 'é中😀"\\\n'.repeat(40_000), user: 'ü' },
        userId: 'usér "q"',
        threadId: null,
        eventType: 'AUDIT_LOG',
      });
      await appendN(s.db, ws, 30, { eventType: 'AUTH_LOG' }, 7);
      await tamper.deleteContent(s.db, ws, 5);
      await tamper.deleteContent(s.db, ws, 33);
    });
    after(() => s.cleanup());

    it('returns what listRecords returns, whatever the window', async () => {
      const head = (await getHead(s.db, ws))!.seq;
      const expected = (await listRecords(s.db, ws, 0, head)).map(asText);
      assert.equal(expected.length, 64);
      for (const window of [1, 3, 10, 64, 5000])
        assert.deepEqual(await scanned(s, ws, 0, head, { window }), expected, `window ${window}`);
      assert.deepEqual(await scanned(s, ws, 17, 40, { window: 7 }), expected.slice(17, 40));
      assert.deepEqual(await scanned(s, ws, 40, 40), []);
    });

    it('filters on chain fields, reading content only for the records kept', async () => {
      const head = (await getHead(s.db, ws))!.seq;
      const all = await listRecords(s.db, ws, 0, head);
      for (const keep of [
        (r: { event_type: string }) => r.event_type === 'AUDIT_LOG',
        (r: { seq: number }) => r.seq % 5 === 0,
        (r: { seq: number }) => r.seq !== 12,
      ]) {
        assert.deepEqual(await scanned(s, ws, 0, head, { keep, window: 20 }), all.filter(keep).map(asText));
      }
    });

    it("reads committed records only, never another transaction's writes in progress", async () => {
      const head = (await getHead(s.db, ws))!.seq;
      const expected = await scanned(s, ws, 0, head);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let deleted!: () => void;
      const inside = new Promise<void>((r) => (deleted = r));
      const rolledBack = s.db
        .transaction()
        .execute(async (trx) => {
          await trx.deleteFrom('compliance_content').where('workspace_id', '=', ws).where('seq', '=', 10).execute();
          deleted();
          await gate;
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await inside;
      const scan = scanned(s, ws, 0, head, { window: 16 });
      setTimeout(release, 30);
      await rolledBack;
      assert.deepEqual(await scan, expected);
    });

    // PostgreSQL: the COPY connection turns bitmap scans off for its reads.
    if (dialect === 'postgres')
      it('hands its connection back with the planner settings it changed reset', async () => {
        const one = openStore({ ...s.reopen, poolSize: 1 });
        try {
          const setting = async () =>
            (await sql<{ v: string }>`select current_setting('enable_bitmapscan') as v`.execute(one.db)).rows[0].v;
          const before = await setting();
          assert.equal((await scanned({ ...s, db: one.db }, ws, 0, 64, { window: 16 })).length, 64);
          for await (const rows of scanRecords(one.db, ws, 0, 64, { window: 8 })) if (rows.length) break;
          assert.equal((await scanned({ ...s, db: one.db }, ws, 0, 64)).length, 64);
          assert.equal(await setting(), before);
        } finally {
          await one.close();
        }
      });

    it('a consumer that stops early leaves the store usable', async () => {
      for (let i = 0; i < 12; i++) {
        for await (const rows of scanRecords(s.db, ws, 0, 64, { window: 8 })) if (rows.length) break;
      }
      assert.equal((await scanned(s, ws, 0, 64)).length, 64);
    });
  });
}

it('the binary COPY parser reads tuples split anywhere across chunks', () => {
  const field = (b: Buffer | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b ? b.length : -1);
    return b ? Buffer.concat([len, b]) : len;
  };
  const int8 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  };
  const tuple = (...fields: (Buffer | null)[]) => {
    const n = Buffer.alloc(2);
    n.writeInt16BE(fields.length);
    return Buffer.concat([n, ...fields.map(field)]);
  };
  const header = Buffer.concat([
    Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
    Buffer.alloc(4),
    Buffer.from([0, 0, 0, 2, 9, 9]),
  ]);
  const rows: [number, string | null][] = [
    [1, 'a'],
    [2 ** 40 + 3, null],
    [2 ** 53 - 1, 'é中😀'.repeat(100)],
    [0, ''],
  ];
  const stream = Buffer.concat([
    header,
    ...rows.map(([n, s]) => tuple(int8(n), s === null ? null : Buffer.from(s))),
    Buffer.from([0xff, 0xff]),
    Buffer.from('trailing'),
  ]);
  for (const step of [1, 2, 3, 7, 64, stream.length]) {
    const p = new BinaryCopyParser();
    const got: [number, string | null][] = [];
    for (let i = 0; i < stream.length; i += step)
      p.push(stream.subarray(i, i + step), (t) => got.push([t.int(0), t.textOrNull(1)]));
    assert.deepEqual(got, rows, `chunks of ${step}`);
    assert.equal(p.done, true);
  }
});

// The ingest's hand-built inserts (platform/storage/bulk-insert.ts) on both databases: values come back as
// they went in, whatever characters strings hold (PostgreSQL: array literals written by hand),
// nulls stay null, conflicts are skipped or added up, RETURNING names exactly the new rows, and
// the statements PostgreSQL keeps prepared per connection work again and again on every connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  conflictAddCounters,
  conflictDoNothing,
  flatPart,
  insertMany,
  insertManyFlat,
  insertManyIf,
  insertManyReturning,
  insertRows,
  type InsertSpec,
} from '../../src/platform/storage/bulk-insert.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const WS = 'ws-bulk';
const NASTY = [
  'plain',
  'a"b',
  'back\\slash',
  '\\"',
  '{x,y}',
  'NULL',
  'null',
  '',
  ' spaced ',
  'line\nbreak\ttab',
  'é ünï 😀',
  "it's",
  '"',
  '\\',
];

const TURNS: InsertSpec = {
  table: 'turns',
  columns: [
    'workspace_id',
    'turn_key',
    'turn_id',
    'thread_id',
    'user_id',
    'client_id',
    'ts',
    'model',
    'prompt_length',
    'source',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'turn_key']),
  returning: ['turn_key'],
};
const SETS: InsertSpec = {
  table: 'thread_day_set',
  columns: ['workspace_id', 'bucket', 'thread_id'],
  onConflict: conflictDoNothing(['workspace_id', 'bucket', 'thread_id']),
  returning: ['thread_id'],
};
const COUNTERS = [
  'threads',
  'turns',
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nusd',
  'credits_n',
];
const ROLLUP: InsertSpec = {
  table: 'usage_ws_day',
  columns: ['workspace_id', 'bucket', 'client_id', ...COUNTERS],
  onConflict: conflictAddCounters('usage_ws_day', ['workspace_id', 'bucket', 'client_id'], COUNTERS),
};

const turn = (key: string, i: number) => ({
  workspace_id: WS,
  turn_key: key,
  turn_id: i % 3 === 0 ? null : `id-${key}`,
  thread_id: `th-${i}`,
  user_id: 'u',
  client_id: 'c',
  ts: 1_700_000_000_000 + i,
  model: i % 2 ? undefined : key,
  prompt_length: i % 4 === 0 ? null : i,
  source: 'otlp',
});
const counters = (n: number) => Object.fromEntries(COUNTERS.map((c) => [c, n]));

for (const dialect of DIALECTS) {
  describe(`bulk inserts (${dialect})`, () => {
    let s: TestStore;
    before(async () => (s = await makeStore(dialect)));
    after(() => s.cleanup());

    it('stores strings exactly, nulls as null, and returns only new rows', async () => {
      const rows = NASTY.map((k, i) => turn(k, i));
      const first = await s.db.transaction().execute((trx) => insertRows<{ turn_key: string }>(trx, TURNS, rows));
      assert.deepEqual(first.map((r) => r.turn_key).sort(), [...NASTY].sort());
      const again = await insertRows(s.db, TURNS, [...rows, turn('new one', 99)]);
      assert.deepEqual(again, [{ turn_key: 'new one' }]);
      const stored = await s.db.selectFrom('turns').selectAll().where('workspace_id', '=', WS).execute();
      for (const [i, k] of NASTY.entries()) {
        const r = stored.find((x) => x.turn_key === k);
        assert.ok(r, `row ${JSON.stringify(k)}`);
        assert.equal(r.turn_id, i % 3 === 0 ? null : `id-${k}`);
        assert.equal(r.model, i % 2 ? null : k);
        assert.equal(r.prompt_length === null ? null : Number(r.prompt_length), i % 4 === 0 ? null : i);
        assert.equal(Number(r.ts), 1_700_000_000_000 + i);
      }
    });

    it('flat parts (insertManyFlat) store what insertMany stores, across statement sizes, after a clone', async () => {
      // 300 rows: SQLite binds them as statements of 256, 32, 8 and 4 rows; structuredClone stands for
      // the worker thread that makes them.
      const keys = Array.from({ length: 300 }, (_, i) => `flat:${NASTY[i % NASTY.length]}:${i}`);
      const turns = {
        spec: { ...TURNS, onConflict: undefined, returning: undefined },
        rows: keys.map((k, i) => ({ ...turn(k, i), workspace_id: 'ws-flat' })),
      };
      const day = { spec: ROLLUP, rows: [{ workspace_id: 'ws-flat', bucket: 7, client_id: 'flat', ...counters(2) }] };
      await s.db.transaction().execute((trx) => insertManyFlat(trx, structuredClone([turns, day].map(flatPart))));
      await insertManyFlat(s.db, [flatPart(day)]);
      const stored = await s.db
        .selectFrom('turns')
        .select(['turn_key', 'turn_id', 'model', 'ts'])
        .where('workspace_id', '=', 'ws-flat')
        .execute();
      const want = keys.map((k, i) => [k, i % 3 === 0 ? null : `id-${k}`, i % 2 ? null : k, 1_700_000_000_000 + i]);
      assert.deepEqual(stored.map((r) => [r.turn_key, r.turn_id, r.model, Number(r.ts)]).sort(), want.sort());
      const rollup = await s.db
        .selectFrom('usage_ws_day')
        .select('turns')
        .where('workspace_id', '=', 'ws-flat')
        .execute();
      assert.deepEqual(
        rollup.map((r) => Number(r.turns)),
        [4],
      );
    });

    it('stores strings exactly when none needs the slow path (PostgreSQL: JSON-escaped array literals)', async () => {
      const plain = NASTY.filter((k) => !/[\u0000-\u001f\ud800-\udfff]/.test(k)).map((k) => `p:${k}`);
      assert.ok(plain.some((k) => k.includes('"')) && plain.some((k) => k.includes('\\')));
      const rows = plain.map((k, i) => ({ ...turn(k, i), model: `m${k}` }));
      assert.equal((await insertRows(s.db, TURNS, rows)).length, plain.length);
      const stored = await s.db
        .selectFrom('turns')
        .select(['turn_key', 'model'])
        .where('turn_key', 'like', 'p:%')
        .execute();
      assert.deepEqual(stored.map((r) => [r.turn_key, r.model]).sort(), plain.map((k) => [k, `m${k}`]).sort());
    });

    it('inserts a part only for the rows an earlier part returned (onlyIfReturned), each distinct row once', async () => {
      const SET: InsertSpec = { ...SETS, returning: ['workspace_id', 'bucket', 'thread_id'] };
      const TURNS_WS: InsertSpec = { ...TURNS, returning: ['turn_key', 'workspace_id'] };
      const only = {
        part: 0,
        match: [
          ['workspace_id', 'workspace_id'],
          ['turn_key', 'turn_key'],
        ],
      } as const;
      const run = (keys: string[]) =>
        s.db.transaction().execute((trx) =>
          insertManyReturning<Record<string, string>>(trx, [
            { spec: TURNS_WS, rows: keys.map((k, i) => turn(k, i)) },
            {
              spec: SET,
              rows: keys.map((k) => ({
                workspace_id: WS,
                bucket: 30000,
                thread_id: `set-${k.slice(0, 2)}`,
                turn_key: k,
              })),
              onlyIfReturned: only,
            },
          ]),
        );
      const [t1, s1] = await run(['s1a', 's1b', 's2a']);
      assert.equal(t1.length, 3);
      assert.deepEqual(s1.map((r) => [r.thread_id, Number(r.bucket)]).sort(), [
        ['set-s1', 30000],
        ['set-s2', 30000],
      ]);
      // s1a is stored already: its set row is not offered again; s3a is new.
      const [t2, s2] = await run(['s1a', 's3a']);
      assert.deepEqual(
        t2.map((r) => r.turn_key),
        ['s3a'],
      );
      assert.deepEqual(
        s2.map((r) => r.thread_id),
        ['set-s3'],
      );
      const stored = await s.db.selectFrom('thread_day_set').select('thread_id').where('bucket', '=', 30000).execute();
      assert.deepEqual(stored.map((r) => r.thread_id).sort(), ['set-s1', 'set-s2', 'set-s3']);
    });

    it('inserts the guarded parts only if the compare-and-set updated its row, the others always (insertManyIf)', async () => {
      await s.db
        .insertInto('compliance_heads')
        .values({ workspace_id: WS, seq: 5, hash: 'h5', recorded_at: 1, max_ts: 1 })
        .execute();
      const cas = (from: number, to: number) => ({
        table: 'compliance_heads',
        set: { seq: to, hash: `h${to}` },
        where: { workspace_id: WS, seq: from, hash: `h${from}` },
      });
      const part = (bucket: number) => ({ spec: SETS, rows: [{ workspace_id: WS, bucket, thread_id: 'cas' }] });
      assert.equal(
        await s.db.transaction().execute((trx) => insertManyIf(trx, cas(4, 6), [part(40001)], [part(40002)])),
        false,
      );
      assert.equal(
        await s.db.transaction().execute((trx) => insertManyIf(trx, cas(5, 6), [part(40003)], [part(40004)])),
        true,
      );
      const head = await s.db
        .selectFrom('compliance_heads')
        .select(['seq', 'hash'])
        .where('workspace_id', '=', WS)
        .executeTakeFirstOrThrow();
      assert.deepEqual([Number(head.seq), head.hash], [6, 'h6']);
      const rows = await s.db.selectFrom('thread_day_set').select('bucket').where('thread_id', '=', 'cas').execute();
      assert.deepEqual(rows.map((r) => Number(r.bucket)).sort(), [40002, 40003, 40004]);
    });

    it('sends several inserts together, repeatedly, with RETURNING per part and counters added', async () => {
      // More rounds than connections in the pool, so every connection reuses its prepared statements.
      for (let round = 0; round < 12; round++) {
        const [turns, sets] = await s.db.transaction().execute(async (trx) => {
          const out = await insertManyReturning<Record<string, string>>(trx, [
            { spec: TURNS, rows: [turn(`r${round}`, round), turn('plain', 0)] },
            { spec: SETS, rows: [{ workspace_id: WS, bucket: 20000, thread_id: `t"${round % 2}` }] },
          ]);
          await insertMany(trx, [
            {
              spec: ROLLUP,
              rows: [
                { workspace_id: WS, bucket: 20000, client_id: 'c\\1', ...counters(1) },
                { workspace_id: WS, bucket: 20001, client_id: 'c', ...counters(2) },
              ],
            },
            { spec: SETS, rows: [{ workspace_id: WS, bucket: 20002, thread_id: 'x' }] },
          ]);
          return out;
        });
        assert.deepEqual(turns, [{ turn_key: `r${round}` }]);
        assert.deepEqual(sets, round < 2 ? [{ thread_id: `t"${round % 2}` }] : []);
      }
      const rollup = await s.db
        .selectFrom('usage_ws_day')
        .selectAll()
        .where('workspace_id', '=', WS)
        .orderBy('bucket')
        .execute();
      assert.deepEqual(
        rollup.map((r) => [Number(r.bucket), r.client_id, Number(r.turns), Number(r.cost_nusd)]),
        [
          [20000, 'c\\1', 12, 12],
          [20001, 'c', 24, 24],
        ],
      );
    });
  });
}

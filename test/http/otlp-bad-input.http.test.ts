// Every kind of bad request gets its precise status and message, and the server keeps serving.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp, shiftTimes, synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { prng } from '../../bench/support/prng.js';
import protobuf from 'protobufjs';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from '../../src/ingest/otlp/schema.js';

describe('POST /v1/logs rejects bad input precisely (sqlite)', () => {
  let t: TestApp;
  let key: string;
  const good = JSON.stringify(shiftTimes(loadOtlp('exec-json.otel-logs.json'), Date.now() - 3600_000));
  const post = (payload: Buffer | string, headers: Record<string, string> = {}, auth: string | null = key) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/logs',
      payload,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers },
    });

  before(async () => {
    // Small limits so the size tests stay fast; the defaults are 16 MiB raw / 64 MiB decompressed.
    t = await makeApp('sqlite', { ingest: { max_body_bytes: 1024 * 1024, max_decompressed_bytes: 4 * 1024 * 1024 } });
    await t.user('dev@example.com');
    key = await t.key(['ingest.write'], 'dev@example.com');
  });
  after(() => t.close());

  const expectError = (r: { statusCode: number; json(): any }, status: number, code: string, msg?: RegExp) => {
    assert.equal(r.statusCode, status, JSON.stringify(r.json()));
    assert.equal(r.json().error.code, code);
    if (msg) assert.match(r.json().error.message, msg);
  };

  it('missing, malformed, unknown, revoked, expired and wrong-scope keys', async () => {
    expectError(await post(good, {}, null), 401, 'unauthenticated', /Bearer/);
    expectError(await post(good, { authorization: 'Basic abc' }, null), 401, 'unauthenticated');
    expectError(await post(good, {}, 'stw_nope'), 401, 'invalid_key', /unknown/);
    const analytics = await t.key(['codex.enterprise.analytics.read']);
    expectError(await post(good, {}, analytics), 403, 'forbidden_scope', /ingest\.write/);
    const revoked = await t.key(['ingest.write'], 'dev@example.com');
    const id = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/admin/workspaces/${t.workspaceId}/keys`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      })
    )
      .json()
      .data.at(-1).id;
    const rv = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/workspaces/${t.workspaceId}/keys/${id}/revoke`,
      headers: { authorization: `Bearer ${t.ownerKey}` },
    });
    assert.equal(rv.statusCode, 200, rv.body);
    expectError(await post(good, {}, revoked), 401, 'invalid_key', /revoked/);
    const expired = await t.key(['ingest.write'], 'dev@example.com', { expiresAt: Date.now() - 1 });
    expectError(await post(good, {}, expired), 401, 'invalid_key', /expired/);
  });

  it('wrong content type and encoding', async () => {
    expectError(await post(good, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', /text\/plain/);
    expectError(await post(good, { 'content-type': 'application/xml' }), 415, 'unsupported_media_type');
    expectError(await post(good, { 'content-encoding': 'br' }), 415, 'unsupported_encoding', /br/);
  });

  it('malformed JSON, malformed protobuf, truncated gzip', async () => {
    expectError(await post('{"resourceLogs": ['), 400, 'malformed_body', /JSON/);
    expectError(await post('"just a string"'), 400, 'malformed_body', /ExportLogsServiceRequest/);
    expectError(
      await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' }),
      400,
      'malformed_body',
      /protobuf/,
    );
    const gz = zlib.gzipSync(good);
    expectError(
      await post(gz.subarray(0, gz.length - 20), { 'content-encoding': 'gzip' }),
      400,
      'malformed_body',
      /decompress/,
    );
  });

  it('a body over the limit and a gzip bomb get 413', async () => {
    expectError(await post(Buffer.alloc(2 * 1024 * 1024, 0x20)), 413, 'body_too_large', /limit/);
    // 64 MiB of zeros compresses to ~64 KiB: under the raw limit, far over the decompressed one.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 1024 * 1024);
    expectError(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'body_too_large', /decompressed/);
  });

  it('still serves good requests afterwards', async () => {
    const r = await post(good);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

// Issue 11, items 2-4: one implausible or malformed record is a rejected record (partialSuccess),
// never a failed batch, on both databases; records without times dedupe on their content.
// Fuzz-style: one named regression case per trigger, each posted next to good records whose
// tokens must land, with seeded random valid neighbours (mulberry32, as bench/support/prng.ts).
for (const dialect of DIALECTS) {
  describe(`POST /v1/logs bounds every field (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let other: string;
    const now = Date.now() - 3600_000;
    // DEEP stands for a JSON value too deep for JSON.stringify, spliced into the text.
    let deepJson = '';
    const DEEP = { stringValue: '__DEEP__' };
    const post = (payload: unknown, k = key) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(payload).replace(JSON.stringify(DEEP), () => deepJson),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
      });
    const outputTokens = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('model_requests')
            .select((eb) => eb.fn.sum<number>('output_tokens').as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const requests = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('model_requests')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const attr = (rec: any, k: string) => rec.attributes.find((a: any) => a.key === k);
    const setAttr = (rec: any, k: string, value: unknown) => {
      const a = attr(rec, k);
      if (a) a.value = value;
      else rec.attributes.push({ key: k, value });
    };

    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      await t.user('other@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
      other = await t.key(['ingest.write'], 'other@example.com');
    });
    after(() => t.close());

    // A batch: `bad` (one response record changed by `mutate`) between `n` good, random responses.
    let conv = 0;
    const batch = (rand: () => number, mutate: (rec: any) => void, n = 3) => {
      const good = Array.from({ length: n }, () => ({
        conv: `0199-good-${++conv}`,
        ts: now + Math.floor(rand() * 600_000),
        kind: 'response' as const,
        input: 1 + Math.floor(rand() * 5000),
        output: 1 + Math.floor(rand() * 900),
      }));
      const p = synthPayload([
        ...good,
        { conv: `0199-bad-${++conv}`, ts: now, kind: 'response', input: 10, output: 10 },
      ]);
      const recs = p.resourceLogs[0].scopeLogs[0].logRecords;
      mutate(recs[recs.length - 1]);
      return { p, goodOutput: good.reduce((a, g) => a + g.output, 0) };
    };
    const expectOneRejected = async (name: string, mutate: (rec: any) => void, reason: RegExp) => {
      const rand = prng(name.length * 7919);
      for (let round = 0; round < 3; round++) {
        const { p, goodOutput } = batch(rand, mutate);
        const before = await outputTokens();
        const r = await post(p);
        assert.equal(r.statusCode, 200, `${name}: ${r.body}`);
        assert.equal(r.json().partialSuccess?.rejectedLogRecords, 1, `${name}: ${r.body}`);
        assert.match(r.json().partialSuccess.errorMessage, reason, name);
        assert.equal((await outputTokens()) - before, goodOutput, `${name}: the good records land`);
      }
    };

    it('item 2: an implausible token count is rejected with its reason and later batches of anyone still land', async () => {
      await expectOneRejected(
        'huge output',
        (rec) => setAttr(rec, 'output_token_count', { stringValue: '12297829382339' }),
        /output.*12297829382339.*100000000/,
      );
      await expectOneRejected(
        'huge cached',
        (rec) => setAttr(rec, 'cached_token_count', { intValue: '9007199254740991' }),
        /cached.*above/,
      );
      // The day's rollups are not poisoned: another user's batch of the same day lands.
      const r = await post(
        synthPayload([{ conv: '0199-later', ts: now, kind: 'response', input: 100, output: 7 }]),
        other,
      );
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {});
      const page = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=workspace&group_by=week`,
          headers: { authorization: `Bearer ${t.ownerKey}` },
        })
      ).json();
      const cost = page.data.reduce((a: number, row: any) => a + row.totals.cost_usd, 0);
      assert.ok(cost < 100, `usage cost stays plausible: ${cost}`);
    });

    it('item 3: observedTimeUnixNano out of the date range', async () => {
      const noTs = (rec: any) => (rec.attributes = rec.attributes.filter((a: any) => a.key !== 'event.timestamp'));
      await expectOneRejected(
        'observed far future',
        (rec) => (noTs(rec), (rec.observedTimeUnixNano = '9'.repeat(30))),
        /time/,
      );
      // Found by the long fuzz run (seed 20261604): with event.timestamp set, observedTimeUnixNano
      // keyed the record as it came, and a NUL in it was a 500 on PostgreSQL.
      await expectOneRejected(
        'NUL in observedTimeUnixNano',
        (rec) => (rec.observedTimeUnixNano = 'a\u0000b'),
        /observedTimeUnixNano must be a time/,
      );
      await expectOneRejected(
        'text in timeUnixNano',
        (rec) => (rec.timeUnixNano = 'x'.repeat(5000)),
        /timeUnixNano must be a time/,
      );
      await expectOneRejected(
        'event.timestamp year 275760',
        (rec) => setAttr(rec, 'event.timestamp', { stringValue: '+275760-09-13T00:00:00.000Z' }),
        /time/,
      );
      await expectOneRejected(
        'event.timestamp before 2015',
        (rec) => setAttr(rec, 'event.timestamp', { stringValue: '1969-12-31T23:59:59.000Z' }),
        /time/,
      );
    });

    it('item 3: AnyValue nested 5,000 levels deep in JSON', async () => {
      deepJson =
        '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(5000) + '{"stringValue":"x"}' + '}]}}'.repeat(5000);
      await expectOneRejected('deep attribute', (rec) => setAttr(rec, 'extra', DEEP), /nest/);
      deepJson = '{"arrayValue":{"values":['.repeat(5000) + '{"intValue":"1"}' + ']}}'.repeat(5000);
      await expectOneRejected('deep array', (rec) => setAttr(rec, 'extra', DEEP), /nest/);
      // Within the bound, nesting is kept.
      deepJson = '{"arrayValue":{"values":['.repeat(20) + '{"intValue":"1"}' + ']}}'.repeat(20);
      const { p } = batch(prng(1), (rec) => setAttr(rec, 'extra', DEEP));
      assert.deepEqual((await post(p)).json(), {});
    });

    it('item 3: AnyValue nested 5,000 levels deep in protobuf rejects the record, not the batch', async () => {
      const LogRecord = ExportLogsServiceRequest.root.lookupType('opentelemetry.proto.LogRecord');
      const { p, goodOutput } = batch(prng(5000), () => {});
      const recs = p.resourceLogs[0].scopeLogs[0].logRecords.map((r: any) => {
        const { body, ...rest } = r;
        return Buffer.from(LogRecord.encode(LogRecord.fromObject(rest)).finish());
      });
      // The last record gains an attribute `extra` = [[[…1…]]] (5,000 arrays), written without recursion.
      const w = protobuf.Writer.create();
      w.uint32((6 << 3) | 2)
        .fork()
        .uint32((1 << 3) | 2)
        .string('extra')
        .uint32((2 << 3) | 2)
        .fork();
      for (let i = 0; i < 5000; i++)
        w.uint32((5 << 3) | 2)
          .fork()
          .uint32((1 << 3) | 2)
          .fork();
      w.uint32(3 << 3).int64(1);
      for (let i = 0; i < 5000; i++) w.ldelim().ldelim();
      w.ldelim().ldelim();
      recs[recs.length - 1] = Buffer.concat([recs[recs.length - 1], Buffer.from(w.finish())]);
      const req = protobuf.Writer.create();
      req
        .uint32((1 << 3) | 2)
        .fork()
        .uint32((2 << 3) | 2)
        .fork();
      for (const r of recs) req.uint32((2 << 3) | 2).bytes(r);
      req.ldelim().ldelim();
      const before = await outputTokens();
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: Buffer.from(req.finish()),
        headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      const reply = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(r.rawPayload), {
        longs: Number,
      });
      assert.equal(reply.partialSuccess?.rejectedLogRecords, 1);
      assert.match(reply.partialSuccess.errorMessage, /nested deeper than 32/);
      assert.equal((await outputTokens()) - before, goodOutput);
    });

    it('item 3: ids over the length limit, with a NUL byte or a lone surrogate', async () => {
      await expectOneRejected(
        'conversation.id 3 KB',
        (rec) => setAttr(rec, 'conversation.id', { stringValue: 'c'.repeat(3000) }),
        /conversation\.id.*256/,
      );
      await expectOneRejected(
        'conversation.id NUL',
        (rec) => setAttr(rec, 'conversation.id', { stringValue: 'abc\u0000def' }),
        /conversation\.id.*control/,
      );
      await expectOneRejected(
        'conversation.id lone surrogate',
        (rec) => setAttr(rec, 'conversation.id', { stringValue: 'abc\ud800def' }),
        /conversation\.id.*surrogate/,
      );
      await expectOneRejected('model 3 KB', (rec) => setAttr(rec, 'model', { stringValue: 'm'.repeat(3000) }), /model/);
      await expectOneRejected('model NUL', (rec) => setAttr(rec, 'model', { stringValue: 'gpt\u0000' }), /model/);
    });

    it('item 3: counts beyond bigint and prompt lengths beyond integer', async () => {
      await expectOneRejected(
        'input beyond bigint',
        (rec) => setAttr(rec, 'input_token_count', { stringValue: '99999999999999999999' }),
        /input/,
      );
      // prompt_length is an integer column (32 bits on PostgreSQL).
      const p = synthPayload([
        { conv: '0199-prompt', ts: now, kind: 'prompt' },
        { conv: '0199-prompt-ok', ts: now, kind: 'prompt' },
      ]);
      setAttr(p.resourceLogs[0].scopeLogs[0].logRecords[0], 'prompt_length', { stringValue: '4294967296' });
      const r = await post(p);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().partialSuccess?.rejectedLogRecords, 1, r.body);
      assert.match(r.json().partialSuccess.errorMessage, /prompt_length/);
    });

    it('item 4: a record without any time is stored once however often it is replayed', async () => {
      const untimed = () => {
        const p = synthPayload([
          { conv: '0199-untimed', ts: now, kind: 'response', input: 11, output: 13 },
          { conv: '0199-untimed', ts: now, kind: 'prompt' },
        ]);
        for (const rec of p.resourceLogs[0].scopeLogs[0].logRecords) {
          rec.attributes = rec.attributes.filter((a: any) => a.key !== 'event.timestamp');
          rec.timeUnixNano = '0';
          rec.observedTimeUnixNano = '0';
        }
        return p;
      };
      const before = await requests();
      const turns = async () =>
        Number(
          (
            await t.store.db
              .selectFrom('turns')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('thread_id', '=', '0199-untimed')
              .executeTakeFirst()
          )?.n ?? 0,
        );
      for (let i = 0; i < 3; i++) {
        const r = await post(untimed());
        assert.equal(r.statusCode, 200, r.body);
        await new Promise((res) => setTimeout(res, 5)); // the arrival time moves on
      }
      assert.equal((await requests()) - before, 1);
      assert.equal(await turns(), 1);
      // Only timeUnixNano (observed unset): keyed and timed by it, stable too.
      const timed = () => {
        const p = synthPayload([{ conv: '0199-timeonly', ts: now, kind: 'response', input: 5, output: 5 }]);
        const rec = p.resourceLogs[0].scopeLogs[0].logRecords[0];
        rec.attributes = rec.attributes.filter((a: any) => a.key !== 'event.timestamp');
        rec.timeUnixNano = String(BigInt(now) * 1_000_000n);
        rec.observedTimeUnixNano = '0';
        return p;
      };
      for (let i = 0; i < 2; i++) assert.equal((await post(timed())).statusCode, 200);
      const rows = await t.store.db
        .selectFrom('model_requests')
        .select(['ts'])
        .where('thread_id', '=', '0199-timeonly')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0].ts), now);
    });
  });
}

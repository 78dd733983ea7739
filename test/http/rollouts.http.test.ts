// POST /v1/ingest/rollouts on both databases: a file uploaded in pieces equals the file read
// locally; retries (overlapping chunks) are trimmed, gaps refused with the offset to resend from,
// misaligned chunks reported as conflicts, reset starts over without double counting; bad input
// is a 4xx naming the problem.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { sessionItems } from '../support/compliance.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');
const EXEC = path.join(FIX, '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl');
const PATH = '/home/dev/.codex/sessions/2026/11/22/' + path.basename(EXEC);

async function wireLines(file: string): Promise<{ lines: WireLine[]; offsets: number[] }> {
  const lines: WireLine[] = [];
  const offsets: number[] = [];
  for await (const b of readLineBatches(file, 0, 0, 1 << 30)) {
    for (const r of b.lines) {
      lines.push(toWireLine(r));
      offsets.push(r.offset);
    }
  }
  return { lines, offsets };
}

for (const dialect of DIALECTS) {
  describe(`POST /v1/ingest/rollouts (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let all: { lines: WireLine[]; offsets: number[] };
    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
      all = await wireLines(EXEC);
    });
    after(() => t.close());

    const post = (body: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
    const chunk = (from: number, to: number, extra: Record<string, unknown> = {}) => ({
      path: PATH,
      offset: all.offsets[from]!,
      line: from,
      lines: all.lines.slice(from, to),
      ...extra,
    });
    const counts = async () => {
      const n = async (table: 'model_requests' | 'turns') =>
        Number(
          (
            await t.store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        requests: await n('model_requests'),
        turns: await n('turns'),
        content: (await sessionItems(t.store.db)).length,
      };
    };

    it('pieces, retries and a gap: the same facts as reading the file locally, each once', async () => {
      const want = await collectRollout(EXEC, { final: true });
      const n = all.lines.length;
      const a = Math.floor(n / 3);
      const b = Math.floor((2 * n) / 3);
      let r = await post({ host: 'laptop', installation_id: 'inst-1', files: [chunk(0, a)] });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().files[0].status, 'stored');
      assert.equal(r.json().files[0].offset, all.offsets[a]);
      // A gap: the server has [0, a) and is sent [b, n).
      r = await post({ host: 'laptop', installation_id: 'inst-1', files: [chunk(b, n)] });
      assert.deepEqual([r.json().files[0].status, r.json().files[0].offset], ['gap', all.offsets[a]]);
      // A retry overlapping what the server has (gzip-encoded this time): trimmed to what is new.
      r = await post(
        zlib.gzipSync(JSON.stringify({ host: 'laptop', installation_id: 'inst-1', files: [chunk(0, b)] })),
        { 'content-encoding': 'gzip' },
      );
      assert.equal(r.json().files[0].status, 'stored');
      assert.equal(r.json().files[0].lines, b - a);
      r = await post({ host: 'laptop', installation_id: 'inst-1', files: [chunk(b, n, { final: true })] });
      assert.equal(r.json().files[0].status, 'stored');
      // Everything again: a duplicate.
      r = await post({ host: 'laptop', installation_id: 'inst-1', files: [chunk(0, n, { final: true })] });
      assert.equal(r.json().files[0].status, 'duplicate');
      const c = await counts();
      assert.equal(c.requests, want.stats.responses);
      assert.equal(c.turns, want.stats.turns);
      assert.equal(c.content, want.content.length);
      const m = await t.store.db.selectFrom('rollout_machines').selectAll().execute();
      assert.deepEqual(
        m.map((x) => [x.machine_id, x.host_name, x.installation_id]),
        [['codex:inst-1', 'laptop', 'inst-1']],
      );
      const threads = await t.store.db.selectFrom('threads').select(['host_name', 'source']).execute();
      assert.deepEqual(threads, [{ host_name: 'laptop', source: 'rollout' }]);
    });

    it('a misaligned chunk is a conflict; reset re-reads without double counting', async () => {
      const before = await counts();
      // Straddles the server's offset without a line starting there: the file is not what the server read.
      const end = all.offsets[all.offsets.length - 1]! + all.lines[all.lines.length - 1]!.n + 1;
      const misaligned = { path: PATH, offset: 5, line: 0, lines: [{ n: end, t: '"garbage"' }] };
      let r = await post({ host: 'laptop', installation_id: 'inst-1', files: [misaligned] });
      assert.equal(r.json().files[0].status, 'conflict');
      r = await post({
        host: 'laptop',
        installation_id: 'inst-1',
        files: [chunk(0, all.lines.length, { reset: true, final: true })],
      });
      assert.equal(r.json().files[0].status, 'stored');
      assert.deepEqual(await counts(), before);
    });

    it('bad input is refused with a reason', async () => {
      let r = await post('{"files": [{"path": 1}]}');
      assert.equal(r.statusCode, 422);
      assert.match(r.json().error.message, /files\.0\.path/);
      r = await post('not json', { 'content-encoding': 'gzip' });
      assert.equal(r.statusCode, 400);
      r = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
        payload: 'x',
      });
      assert.equal(r.statusCode, 415);
      r = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        payload: '{"files":[]}',
      });
      assert.equal(r.statusCode, 403, 'an owner key belongs to nobody');
    });

    it('implausible token counts are rejected lines with reasons, never stored (issue 11, item 2)', async () => {
      // The capture with its three token_usage_records changed: 1e300, a fraction, one plausible.
      const text = await readFile(EXEC, 'utf8');
      const bad = [
        (u: any) => (u.output_tokens = 1e300),
        (u: any) => (u.input_tokens = 1.5),
        (u: any) => (u.input_tokens = 12297829382339),
      ];
      let k = 0;
      const lines = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const v = JSON.parse(l);
          if (v.type !== 'token_usage_record' || k >= bad.length) return l;
          v.payload.response_id = `resp_bounds_${k}`;
          bad[k++](v.payload.usage);
          return JSON.stringify(v);
        });
      assert.equal(k, 3);
      let offset = 0;
      const wire = lines.map((l) => ({ n: Buffer.byteLength(l), t: l }));
      offset = wire.reduce((a, w) => a + w.n + 1, 0);
      const r = await post({
        host: 'bounds',
        installation_id: 'inst-bounds',
        files: [{ path: '/bounds/' + path.basename(EXEC), offset: 0, line: 0, lines: wire, final: true, size: offset }],
      });
      assert.equal(r.statusCode, 200, r.body);
      const f = r.json().files[0];
      assert.equal(f.status, 'stored');
      assert.equal(f.skipped, 3);
      assert.deepEqual(
        f.rejected.map((x: any) => x.reason),
        ['implausible_value', 'implausible_value', 'implausible_value'],
      );
      assert.match(f.rejected[0].detail, /output_tokens 1e\+300 is not a non-negative integer/);
      assert.match(f.rejected[1].detail, /input_tokens 1.5 is not a non-negative integer/);
      assert.match(f.rejected[2].detail, /input_tokens 12297829382339 is above the plausible maximum/);
      const stored = await t.store.db
        .selectFrom('model_requests')
        .select(['input_tokens', 'output_tokens'])
        .where('response_id', 'like', 'resp_bounds_%')
        .execute();
      assert.deepEqual(stored, []);
      const max = await t.store.db
        .selectFrom('usage_ws_week')
        .select((eb) => eb.fn.max<number>('output_tokens').as('m'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(max.m) < 1e6, `usage stays plausible: ${max.m}`);
    });

    it('lines of unknown types are kept and counted as unknown, never rejected (issue 12)', async () => {
      // The capture with two lines of types no Codex wrote yet, one after the session start, one at the end.
      const text = await readFile(EXEC, 'utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      const odd = (i: number, type: string) =>
        JSON.stringify({ timestamp: '2026-11-22T01:26:11.000Z', ordinal: 900 + i, type, payload: { v: i } });
      lines.splice(1, 0, odd(0, 'telepathy'));
      lines.push(odd(1, 'hologram_item'));
      const wire = lines.map((l) => ({ n: Buffer.byteLength(l), t: l }));
      const size = wire.reduce((a, w) => a + w.n + 1, 0);
      const metric = async () => {
        const m = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
        const v = (outcome: string) =>
          Number(
            m.match(
              new RegExp(`steward_ingest_records_total\\{source="rollout",outcome="${outcome}"\\} (\\d+)`),
            )?.[1] ?? 0,
          );
        return { accepted: v('accepted'), rejected: v('rejected'), unknown: v('unknown') };
      };
      const before = await metric();
      const r = await post({
        host: 'odd',
        installation_id: 'inst-odd',
        files: [{ path: '/odd/' + path.basename(EXEC), offset: 0, line: 0, lines: wire, final: true, size }],
      });
      assert.equal(r.statusCode, 200, r.body);
      const f = r.json().files[0];
      assert.deepEqual(
        [f.status, f.lines, f.skipped, f.unknown, f.rejected],
        ['stored', lines.length, 0, 2, undefined],
      );
      const after = await metric();
      assert.deepEqual(
        {
          accepted: after.accepted - before.accepted,
          rejected: after.rejected - before.rejected,
          unknown: after.unknown - before.unknown,
        },
        { accepted: lines.length, rejected: 0, unknown: 2 },
      );
      const kept = (await sessionItems(t.store.db))
        .map((x: any) => x.content.item)
        .filter((i: any) => i.type === 'telepathy' || i.type === 'hologram_item');
      assert.deepEqual(
        kept.map((i: any) => [i.type, i.raw.v]),
        [
          ['telepathy', 0],
          ['hologram_item', 1],
        ],
      );
    });

    it('a second machine uploading the same path is a different file', async () => {
      const text = await readFile(EXEC, 'utf8');
      assert.ok(text.length > 0);
      const before = await counts();
      const r = await post({
        host: 'desktop',
        installation_id: 'inst-2',
        files: [chunk(0, all.lines.length, { final: true })],
      });
      assert.equal(r.json().files[0].status, 'stored');
      assert.deepEqual(await counts(), before, 'same facts (same ids): nothing twice');
    });
  });
}

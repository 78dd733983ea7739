// Analytics API semantics: UTC day and ISO-week buckets, inclusive start / exclusive end, both
// time formats, cursor pages that neither skip nor repeat while events arrive, and 422s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload, type SynthRecord } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
// A Monday 00:00 UTC at least 14 days ago, so a whole ISO week lies in the past.
const monday = (() => {
  let d = today - 14 * DAY;
  while (new Date(d).getUTCDay() !== 1) d -= DAY;
  return d;
})();

for (const dialect of DIALECTS) {
  describe(`usage API semantics (${dialect})`, () => {
    let t: TestApp;
    const keys: Record<string, string> = {};
    const get = (q: string, key = t.ownerKey) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?${q}`,
        headers: { authorization: `Bearer ${key}` },
      });
    const send = async (email: string, recs: SynthRecord[]) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(synthPayload(recs)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[email]}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {});
    };

    before(async () => {
      t = await makeApp(dialect);
      for (const e of ['a@x.io', 'b@x.io', 'c@x.io']) {
        await t.user(e);
        keys[e] = await t.key(['ingest.write'], e);
      }
      // Sunday 23:59:59.999 and Monday 00:00 fall in different days and different ISO weeks.
      await send('a@x.io', [
        { conv: 'th-1', ts: monday - 1, kind: 'prompt' },
        { conv: 'th-1', ts: monday - 1, kind: 'response', input: 100, cached: 40, output: 10, reasoning: 3 },
        { conv: 'th-1', ts: monday, kind: 'prompt' },
        { conv: 'th-1', ts: monday, kind: 'response', input: 200, cached: 0, output: 20 },
        { conv: 'th-2', ts: monday + 3 * DAY, kind: 'prompt', originator: 'codex_vscode' },
        {
          conv: 'th-2',
          ts: monday + 3 * DAY,
          kind: 'response',
          input: 50,
          cached: 10,
          output: 5,
          originator: 'codex_vscode',
          model: 'gpt-6-sol',
        },
      ]);
      await send('b@x.io', [
        { conv: 'th-3', ts: monday + 12 * 3600_000, kind: 'prompt' },
        { conv: 'th-3', ts: monday + 12 * 3600_000, kind: 'response', input: 1000, cached: 500, output: 100 },
      ]);
    });
    after(() => t.close());

    it('buckets by UTC day with inclusive start and exclusive end, in seconds or ISO 8601', async () => {
      const r = await get(
        `start_time=${(monday - DAY) / 1000}&end_time=${new Date(monday + DAY).toISOString()}&group=workspace`,
      );
      assert.equal(r.statusCode, 200, r.body);
      const rows = r.json().data;
      assert.deepEqual(
        rows.map((x: any) => x.start_time),
        [(monday - DAY) / 1000, monday / 1000],
      );
      assert.equal(rows[0].end_time, monday / 1000);
      assert.equal(rows[0].totals.turns, 1);
      assert.equal(rows[1].totals.turns, 2);
      assert.equal(rows[1].totals.threads, 2); // th-1 again on Monday, and th-3
      // end_time is exclusive: ending exactly at Monday 00:00 leaves Monday out.
      const r2 = await get(`start_time=${(monday - DAY) / 1000}&end_time=${monday / 1000}&group=workspace`);
      assert.deepEqual(
        r2.json().data.map((x: any) => x.start_time),
        [(monday - DAY) / 1000],
      );
    });

    it('buckets by ISO week starting Monday, with distinct threads per week', async () => {
      const r = await get(
        `start_time=${(monday - 7 * DAY) / 1000}&end_time=${(monday + 7 * DAY) / 1000}&group=workspace&group_by=week`,
      );
      const rows = r.json().data;
      assert.deepEqual(
        rows.map((x: any) => x.start_time),
        [(monday - 7 * DAY) / 1000, monday / 1000],
      );
      assert.equal(rows[1].end_time, (monday + 7 * DAY) / 1000);
      assert.equal(rows[1].totals.threads, 3); // th-1, th-2, th-3: th-1 counted once although active on two days
      assert.equal(rows[1].totals.turns, 3);
      assert.equal(rows[1].totals.uncached_text_input_tokens, 200 + 40 + 500);
      const clients = Object.fromEntries(rows[1].clients.map((c: any) => [c.client_id, c]));
      assert.equal(clients.CODEX_IDE_VSCODE.threads, 1);
      assert.equal(clients.CODEX_SERVICE_EXEC.threads, 2);
      const models = Object.fromEntries(rows[1].models.map((m: any) => [m.model, m]));
      assert.equal(models.other.text_output_tokens, 5); // gpt-6-sol is not on the rate card
      assert.equal(models['gpt-5.5'].text_output_tokens, 120);
    });

    it('per-user rows carry actor and email, and totals equal the sum of clients', async () => {
      const r = await get(`start_time=${monday / 1000}&end_time=${(monday + 7 * DAY) / 1000}&group_by=week`);
      const rows = r.json().data;
      assert.equal(rows.length, 2);
      const a = rows.find((x: any) => x.email === 'a@x.io');
      assert.equal(a.actor.type, 'user');
      assert.equal(a.actor.user_id, a.user_id);
      assert.equal(a.totals.threads, 2);
      assert.equal(a.totals.text_total_tokens, 200 + 20 + 50 + 5);
      const cost = (200 * 5 + 20 * 30) / 1e6 + (40 * 1.25 + 10 * 0.125 + 5 * 10) / 1e6; // gpt-5.5, then gpt-6-sol at the gpt-5 fallback
      assert.ok(Math.abs(a.totals.cost_usd - cost) < 1e-12, `${a.totals.cost_usd} vs ${cost}`);
      assert.ok(Math.abs(a.totals.credits - cost * 25) < 1e-12);
      assert.equal(
        a.clients.reduce((s: number, c: any) => s + c.turns, 0),
        a.totals.turns,
      );
    });

    it('cursor pages neither skip nor repeat rows while new events arrive', async () => {
      const q = `start_time=${(monday - DAY) / 1000}&end_time=${(monday + 7 * DAY) / 1000}&limit=1`;
      const seen: string[] = [];
      let r = await get(q);
      let n = 0;
      for (;;) {
        const body = r.json();
        assert.ok(body.data.length <= 1);
        for (const row of body.data) seen.push(`${row.start_time}/${row.email}`);
        if (n++ === 0) {
          // c@x.io becomes active on a later day than the current page, and a@x.io again earlier.
          await send('c@x.io', [{ conv: 'th-9', ts: monday + 5 * DAY, kind: 'prompt' }]);
          await send('a@x.io', [{ conv: 'th-1', ts: monday - DAY + 5, kind: 'prompt' }]);
        }
        if (!body.has_more) {
          assert.equal(body.next_page, null);
          break;
        }
        r = await get(`${q}&page=${encodeURIComponent(body.next_page)}`);
        assert.equal(r.statusCode, 200, r.body);
      }
      assert.equal(new Set(seen).size, seen.length, `repeated rows: ${seen}`);
      assert.deepEqual(seen, [
        `${(monday - DAY) / 1000}/a@x.io`,
        `${monday / 1000}/a@x.io`,
        `${monday / 1000}/b@x.io`,
        `${(monday + 3 * DAY) / 1000}/a@x.io`,
        `${(monday + 5 * DAY) / 1000}/c@x.io`,
      ]);
      // next_page= is accepted as an alias of page=.
      const first = (await get(q)).json();
      assert.equal((await get(`${q}&next_page=${first.next_page}`)).statusCode, 200);
    });

    it('422 with detail naming the parameter', async () => {
      const cases: [string, string][] = [
        ['start_time=yesterday', 'start_time'],
        ['end_time=2026-13-45T99:00:00Z', 'end_time'],
        [`start_time=${(today - 91 * DAY) / 1000}`, 'start_time'],
        [`start_time=${today / 1000}&end_time=${(today - DAY) / 1000}`, 'end_time'],
        ['group_by=month', 'group_by'],
        ['group=repository', 'group'],
        ['limit=0', 'limit'],
        ['limit=30001', 'limit'],
        ['limit=ten', 'limit'],
        ['page=not-a-cursor', 'page'],
        // Huge integers: valid digits, but no instant a database can store.
        ['end_time=99999999999999999999', 'end_time'],
        ['start_time=99999999999999999999', 'start_time'],
        ['start_time=1e400', 'start_time'],
        // Cursor fields of the wrong type or size, in the right base64url JSON shape.
        ...[
          { g: 'day', b: 'x' },
          { g: 'day', b: 1e300 },
          { g: 'day', b: 1.5 },
          { g: 'day', b: {} },
          { g: 'day', b: 20000, u: {} },
          { g: 'day', b: 20000, u: 5 },
          { g: 7, b: 20000, u: 'x' },
          { g: 'day', b: -1, u: 'x' },
        ].map((c): [string, string] => [`page=${Buffer.from(JSON.stringify(c)).toString('base64url')}`, 'page']),
      ];
      for (const [q, param] of cases) {
        const r = await get(q);
        assert.equal(r.statusCode, 422, `${q}: ${r.body}`);
        assert.deepEqual(r.json().detail[0].loc, ['query', param], q);
        assert.ok(r.json().detail[0].msg.length > 0);
      }
      // A day cursor replayed on a week query is refused.
      const dayCursor = (await get(`start_time=${(monday - DAY) / 1000}&limit=1`)).json().next_page;
      const r = await get(`group_by=week&start_time=${(monday - DAY) / 1000}&page=${dayCursor}`);
      assert.equal(r.statusCode, 422);
      assert.deepEqual(r.json().detail[0].loc, ['query', 'page']);
    });

    it('the default window is the last 30 days and the lookback is configurable', async () => {
      const r = await get('group=workspace');
      assert.equal(r.statusCode, 200);
      for (const row of r.json().data) assert.ok(row.start_time * 1000 >= today - 30 * DAY);
    });
  });
}

// The active-user count rollup (migration 0041, decisions/0053) on both databases: records sent
// through POST /v1/logs, then every count row (per day and week; everyone, each surface, each
// client) compared with the distinct people computed here from the records sent, after the same
// batches are delivered again (a re-delivered batch counts nobody twice). People active on two
// surfaces, or on two clients of one surface, in one day; a service identity never counted. Then
// the query model's time series of active users, answered from those rows, against the same truth.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { surfaceOf } from '../../src/core/clients.js';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload, type SynthRecord } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS);
const weekOf = (day: number) => Math.floor((day + 3) / 7);
const CLIENT: Record<string, string> = {
  'codex-tui': 'CODEX_CLI',
  codex_vscode: 'CODEX_IDE_VSCODE',
  codex_jetbrains: 'CODEX_IDE_JETBRAINS',
  codex_desktop: 'CODEX_DESKTOP_APP',
};

// [user, days ago, originator, turns]
type Work = [string, number, string, number];
const WORK: Work[] = [
  ['ann', 0, 'codex-tui', 2],
  ['ann', 0, 'codex_vscode', 1], // two surfaces in one day
  ['ann', 3, 'codex_desktop', 1],
  ['ann', 9, 'codex-tui', 1],
  ['bob', 0, 'codex_vscode', 1],
  ['bob', 0, 'codex_jetbrains', 2], // two clients of one surface in one day
  ['bob', 1, 'codex_jetbrains', 1],
  ['bob', 12, 'codex_vscode', 1],
  ['cat', 1, 'codex-tui', 3],
  ['cat', 2, 'codex-tui', 1],
  ['cat', 3, 'codex_vscode', 1],
  ['dan', 2, 'codex_desktop', 2],
  ['dan', 3, 'codex_desktop', 1],
  ['ci', 0, 'codex-tui', 4], // a service identity: usage, never an active user
  ['ci', 1, 'codex_vscode', 1],
];
const USERS = ['ann', 'bob', 'cat', 'dan', 'ci'];

function payloadOf(user: string): unknown {
  const recs: SynthRecord[] = [];
  WORK.forEach(([u, ago, originator, n], w) => {
    if (u !== user) return;
    for (let i = 0; i < n; i++) {
      const base = { conv: `t${w}-${u}`, originator, model: 'gpt-5.5' };
      const ts = (today - ago) * DAY_MS + 60_000 * (w + 1) + 1000 * i;
      recs.push({ ...base, ts, kind: 'prompt' });
      recs.push({ ...base, ts: ts + 1, kind: 'response', input: 100, output: 10 });
    }
  });
  return synthPayload(recs);
}

// Ground truth from WORK alone: the distinct people per bucket and scope ('' any), as the
// "surface|client|bucket" key the count rows are compared by.
function truth(grain: 'day' | 'week'): Map<string, number> {
  const people = new Map<string, Set<string>>();
  for (const [user, ago, originator] of WORK) {
    if (user === 'ci') continue;
    const day = today - ago;
    const bucket = grain === 'day' ? day : weekOf(day);
    const client = CLIENT[originator];
    for (const k of [`||${bucket}`, `${surfaceOf(client)}||${bucket}`, `|${client}|${bucket}`]) {
      if (!people.has(k)) people.set(k, new Set());
      people.get(k)!.add(user);
    }
  }
  return new Map([...people].map(([k, s]) => [k, s.size]));
}

for (const dialect of DIALECTS)
  describe(`active-user counts (${dialect})`, () => {
    let t: TestApp;
    const keys: Record<string, string> = {};
    const payloads: Record<string, unknown> = {};
    const send = async (user: string) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${keys[user]}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payloads[user]),
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const counts = async (grain: 'day' | 'week') => {
      const rows = await t.store.db
        .selectFrom(`active_user_${grain}_count` as 'active_user_day_count')
        .selectAll()
        .where('workspace_id', '=', t.workspaceId)
        .execute();
      return new Map(rows.map((r) => [`${r.surface}|${r.client_id}|${Number(r.bucket)}`, Number(r.users)]));
    };
    const query = async (body: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/query`,
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as Record<string, any>[];
    };

    before(async () => {
      t = await makeApp(dialect);
      for (const u of USERS) {
        await t.user(`${u}@x.io`, 'member');
        keys[u] = await t.key(['ingest.write'], `${u}@x.io`, u === 'ci' ? { service: true } : {});
        payloads[u] = payloadOf(u);
        await send(u);
      }
    });
    after(() => t.close());

    it('counts each bucket and scope as the distinct people sent, and again after a re-delivery', async () => {
      for (const grain of ['day', 'week'] as const) assert.deepEqual(await counts(grain), truth(grain), grain);
      // The same batches again, one after the other and two at once: no person counted twice.
      for (const u of USERS) await send(u);
      await Promise.all([send('ann'), send('bob'), send('ann')]);
      for (const grain of ['day', 'week'] as const) assert.deepEqual(await counts(grain), truth(grain), grain);
      // Today: ann on cli and ide, bob on two ide clients: 2 people, ide 2, cli 1.
      const day = await counts('day');
      assert.equal(day.get(`||${today}`), 2);
      assert.equal(day.get(`ide||${today}`), 2);
      assert.equal(day.get(`cli||${today}`), 1);
    });

    it("answers a time series' active users from the counts, equal to the truth", async () => {
      const day = truth('day');
      const week = truth('week');
      const series = (rows: Record<string, any>[], key: (r: Record<string, any>) => string) =>
        new Map(rows.map((r) => [key(r), r.active_users]));
      const at = (r: Record<string, any>, grain: 'day' | 'week') =>
        grain === 'day' ? r.time / 86400 : weekOf(r.time / 86400);
      const only = (m: Map<string, number>, test: (k: string) => boolean) => new Map([...m].filter(([k]) => test(k)));

      const all = await query({ metrics: ['active_users'], dimensions: ['time:day'], date_range: '30d' });
      assert.deepEqual(
        series(all, (r) => `||${at(r, 'day')}`),
        only(day, (k) => k.startsWith('||')),
      );
      const weekly = await query({ metrics: ['active_users'], dimensions: ['time:week'], date_range: '30d' });
      assert.deepEqual(
        series(weekly, (r) => `||${at(r, 'week')}`),
        only(week, (k) => k.startsWith('||')),
      );
      const bySurface = await query({
        metrics: ['active_users', 'turns'],
        dimensions: ['time:day', 'surface'],
        date_range: '30d',
      });
      assert.deepEqual(
        series(bySurface, (r) => `${r.surface}||${at(r, 'day')}`),
        only(day, (k) => /^[a-z_]+\|\|/.test(k)),
      );
      const byClient = await query({
        metrics: ['active_users'],
        dimensions: ['time:day', 'client'],
        date_range: '30d',
      });
      assert.deepEqual(
        series(byClient, (r) => `|${r.client}|${at(r, 'day')}`),
        only(day, (k) => /^\|[A-Z]/.test(k)),
      );
      const oneClient = await query({
        metrics: ['active_users'],
        dimensions: ['time:day'],
        filters: { client: ['CODEX_IDE_VSCODE'] },
        date_range: '30d',
      });
      assert.deepEqual(
        series(oneClient, (r) => `|CODEX_IDE_VSCODE|${at(r, 'day')}`),
        only(day, (k) => k.startsWith('|CODEX_IDE_VSCODE|')),
      );
      const oneSurface = await query({
        metrics: ['active_users'],
        dimensions: ['time:day'],
        filters: { surface: ['ide'] },
        date_range: '30d',
      });
      assert.deepEqual(
        series(oneSurface, (r) => `ide||${at(r, 'day')}`),
        only(day, (k) => k.startsWith('ide||')),
      );
      // Two surfaces as the filter are not a sum of rows: from the sets, still distinct people.
      const two = await query({
        metrics: ['active_users'],
        dimensions: ['time:day'],
        filters: { surface: ['cli', 'ide'] },
        date_range: '30d',
      });
      const todays = two.find((r) => r.time / 86400 === today);
      assert.equal(todays?.active_users, 2, 'ann on cli and ide, bob on ide: two people');
    });

    it('reads the count rows (a changed count shows), not the sets', async () => {
      const row = { workspace_id: t.workspaceId, bucket: today, surface: '', client_id: '' };
      const set = (users: number) =>
        t.store.db
          .updateTable('active_user_day_count')
          .set({ users })
          .where('workspace_id', '=', row.workspace_id)
          .where('bucket', '=', row.bucket)
          .where('surface', '=', '')
          .where('client_id', '=', '')
          .execute();
      await set(99);
      const r = await query({ metrics: ['active_users'], dimensions: ['time:day'], date_range: '7d' });
      assert.equal(r.find((x) => x.time / 86400 === today)?.active_users, 99);
      await set(2);
      // The counts are the sets' own: recounted from them, every row the same.
      const recount = await sql<{ n: number }>`select count(*) as n from active_user_day_set
        where workspace_id = ${t.workspaceId} and bucket = ${today}`.execute(t.store.db);
      assert.equal(Number(recount.rows[0].n), 4, 'ann cli + ide, bob vscode + jetbrains');
    });
  });

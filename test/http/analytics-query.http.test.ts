// The query model (POST .../query, decisions/0033) on both databases: figures checked against
// totals computed here from the records sent (turns, threads, tokens, distinct active users,
// streaks), credits and dollars against the usage API's own rows; the caller's reach, the team
// floor, one person_data.viewed record per per-person query and none for an aggregate; 422s
// naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSession } from '../../src/accounts/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser } from '../support/accounts.js';
import { synthPayload, type SynthRecord } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS);
const CLIENT: Record<string, string> = { 'codex-tui': 'CODEX_CLI', codex_vscode: 'CODEX_IDE_VSCODE' };
const weekOf = (day: number) => Math.floor((day + 3) / 7);

// Who worked when, where and with what: [user, days ago, originator, model, turns]. One thread per
// entry (so a thread lives in one day, client and model).
type Work = [string, number, string, string, number];
const WORK: Work[] = [
  ['ann', 0, 'codex-tui', 'gpt-5.5', 2],
  ['ann', 1, 'codex-tui', 'gpt-5.5', 1],
  ['ann', 2, 'codex_vscode', 'gpt-5.4', 3],
  ['ann', 5, 'codex-tui', 'gpt-5.5', 1],
  ['bob', 1, 'codex_vscode', 'gpt-5.4', 2],
  ['bob', 2, 'codex_vscode', 'gpt-5.4', 1],
  ['bob', 9, 'codex-tui', 'gpt-5.5', 1],
  ['cat', 3, 'codex-tui', 'gpt-5.4', 4],
  ['cat', 4, 'codex-tui', 'gpt-5.5', 1],
  ['dan', 0, 'codex-tui', 'gpt-5.5', 1],
  ['dan', 0, 'codex_vscode', 'gpt-5.5', 2],
  ['eve', 6, 'codex_vscode', 'gpt-5.4', 1],
  ['fay', 2, 'codex-tui', 'gpt-5.5', 2],
  ['ci', 0, 'codex-tui', 'gpt-5.5', 5], // a service identity: usage, never an active user
];
const PEOPLE = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];
const BIG = ['ann', 'bob', 'cat', 'dan', 'eve'];
const SMALL = ['eve', 'fay'];

interface Turn {
  user: string;
  day: number;
  client: string;
  model: string;
  thread: string;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}
const TURNS: Turn[] = WORK.flatMap(([user, ago, originator, model, n], w) =>
  Array.from({ length: n }, (_, i) => ({
    user,
    day: today - ago,
    client: CLIENT[originator],
    model,
    thread: `t${w}-${user}`,
    input: 1000 + 37 * w + 11 * i,
    cached: 200 + 5 * w,
    output: 300 + 13 * i + w,
    reasoning: 40 + i,
  })),
);
const payloadOf = (user: string) => {
  const recs: SynthRecord[] = [];
  WORK.forEach(([u, ago, originator, model], w) => {
    if (u !== user) return;
    TURNS.filter((t) => t.thread === `t${w}-${u}`).forEach((t, i) => {
      const ts = (today - ago) * DAY_MS + 1000 * (10 * i + 1);
      const base = { conv: t.thread, originator, model };
      recs.push({ ...base, ts, kind: 'prompt' });
      recs.push({ ...base, ts: ts + 1, kind: 'response', ...t });
    });
  });
  return synthPayload(recs);
};

// Ground truth from TURNS alone.
type T = Record<string, number>;
function truth(turns: Turn[]): T {
  const threads = new Set(turns.map((t) => `${t.day}|${t.thread}`));
  const people = new Set(turns.filter((t) => t.user !== 'ci').map((t) => t.user));
  const sum = (f: (t: Turn) => number) => turns.reduce((n, t) => n + f(t), 0);
  return {
    active_users: people.size,
    threads: threads.size,
    turns: turns.length,
    model_requests: turns.length,
    uncached_text_input_tokens: sum((t) => t.input - t.cached),
    cached_text_input_tokens: sum((t) => t.cached),
    text_output_tokens: sum((t) => t.output),
    reasoning_output_tokens: sum((t) => t.reasoning),
    text_total_tokens: sum((t) => t.input + t.output),
  };
}
const COUNTED = Object.keys(truth([]));
const pick = (row: any, keys = COUNTED) => Object.fromEntries(keys.map((k) => [k, row[k]]));
// Consecutive days with a turn ending today, or yesterday when today has none yet.
function streakOf(user: string): number {
  const days = new Set(TURNS.filter((t) => t.user === user).map((t) => t.day));
  let d = days.has(today) ? today : today - 1;
  let n = 0;
  while (days.has(d--)) n++;
  return n;
}

for (const dialect of DIALECTS) {
  describe(`the query model (${dialect})`, () => {
    let t: TestApp;
    let viewerKey: string;
    const ids: Record<string, string> = {};
    const names: Record<string, string> = {};
    const team: Record<string, string> = {};
    const path = () => `/v1/analytics/codex/workspaces/${t.workspaceId}/query`;
    const query = async (body: unknown, key = t.ownerKey, status = 200) => {
      const r = await t.app.inject({
        method: 'POST',
        url: path(),
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(r.statusCode, status, r.body);
      return r.json();
    };
    const asRole = async (user: string, body: unknown) => {
      const s = await startSession(
        t.store.db,
        { id: ids[user], workspaceId: t.workspaceId },
        { ip: null, userAgent: null },
        { session_idle_minutes: 60, session_absolute_hours: 12 },
      );
      const b = { cookie: s.secret, csrf: s.csrfToken, sessionId: s.sessionId, userId: ids[user] };
      const r = await asBrowser(t, b, { method: 'POST', url: path(), payload: JSON.stringify(body) });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const views = async () =>
      (await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute())
        .map((c) => JSON.parse(c.content))
        .filter((c) => c.action === 'person_data.viewed');
    const usageSum = async (k: 'credits' | 'cost_usd', q: string) => {
      const r = await t.app.inject({
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?start_time=${(today - 29) * 86400}&limit=30000&${q}`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      return r.json().data.reduce((n: number, row: any) => n + row.totals[k], 0);
    };
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9 && a > 0, `${a} vs ${b}`);

    before(async () => {
      t = await makeApp(dialect);
      viewerKey = await t.key(['codex.enterprise.analytics.read']);
      for (const u of [...PEOPLE, 'ci']) {
        names[u] = `${u}@x.io`;
        ids[u] = await t.user(names[u], u === 'dan' ? 'team_lead' : 'member');
        const key = await t.key(['ingest.write'], names[u], u === 'ci' ? { service: true } : {});
        const r = await t.app.inject({
          method: 'POST',
          url: '/v1/logs',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          payload: JSON.stringify(payloadOf(u)),
        });
        assert.equal(r.statusCode, 200, r.body);
      }
      const admin = (url: string, payload: unknown) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/admin/workspaces/${t.workspaceId}${url}`,
          headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
      for (const [name, members] of [
        ['big', BIG],
        ['small', [...SMALL, 'ci']],
      ] as const) {
        team[name] = (await admin('/teams', { name })).json().id;
        for (const m of members)
          assert.equal((await admin(`/teams/${team[name]}/members`, { email: names[m] })).statusCode, 200);
      }
    });
    after(() => t.close());

    it('workspace totals: every counter, service usage included; active users distinct, people only', async () => {
      const before = (await views()).length;
      const r = await query({ metrics: [...COUNTED, 'credits', 'cost_usd'], date_range: '30d' });
      assert.equal(r.data.length, 1);
      assert.deepEqual(pick(r.data[0]), { ...truth(TURNS), active_users: PEOPLE.length });
      close(r.data[0].credits, await usageSum('credits', 'group=workspace'));
      close(r.data[0].cost_usd, await usageSum('cost_usd', 'group=workspace'));
      assert.equal((await views()).length, before, 'an aggregate names nobody');
      // Active users over a range are distinct people, not the sum of each day's.
      const daily = await query({ metrics: ['active_users'], dimensions: ['time:day'], date_range: '7d' });
      const sumOfDays = daily.data.reduce((n: number, x: any) => n + x.active_users, 0);
      const seven = await query({ metrics: ['active_users'], date_range: '7d' });
      const people7 = new Set(TURNS.filter((x) => x.day > today - 7 && x.user !== 'ci').map((x) => x.user));
      assert.equal(seven.data[0].active_users, people7.size);
      assert.ok(sumOfDays > people7.size, `${sumOfDays} > ${people7.size}`);
      assert.deepEqual(seven.query.date_range, [
        new Date((today - 6) * DAY_MS).toISOString().slice(0, 10),
        new Date(today * DAY_MS).toISOString().slice(0, 10),
      ]);
    });

    it('by day and client, by week, by model: each cell its own truth', async () => {
      const r = await query({ metrics: COUNTED, dimensions: ['time:day', 'client'], date_range: '30d' });
      const cells = new Set(TURNS.map((x) => `${x.day}|${x.client}`));
      assert.equal(r.data.length, cells.size);
      for (const row of r.data) {
        const day = row.time / 86400;
        const want = truth(TURNS.filter((x) => x.day === day && x.client === row.client));
        assert.deepEqual(pick(row), want, `${day} ${row.client}`);
      }
      assert.deepEqual(
        r.data.map((x: any) => x.time),
        [...r.data.map((x: any) => x.time)].sort((a, b) => a - b),
        'time ascending by default',
      );
      const weeks = await query({ metrics: ['active_users', 'turns'], dimensions: ['time:week'], date_range: '30d' });
      for (const row of weeks.data) {
        const w = weekOf(row.time / 86400 + 3) === weekOf(row.time / 86400) ? weekOf(row.time / 86400) : -1;
        const inWeek = TURNS.filter((x) => weekOf(x.day) === w);
        assert.deepEqual(pick(row, ['active_users', 'turns']), pick(truth(inWeek), ['active_users', 'turns']));
      }
      assert.equal(
        weeks.data.reduce((n: number, x: any) => n + x.turns, 0),
        TURNS.length,
      );
      const models = await query({ metrics: ['active_users', 'text_total_tokens'], dimensions: ['model'] });
      for (const row of models.data)
        assert.deepEqual(
          pick(row, ['active_users', 'text_total_tokens']),
          pick(truth(TURNS.filter((x) => x.model === row.model)), ['active_users', 'text_total_tokens']),
        );
      // Surfaces group the clients (core/clients.ts): each user once per surface.
      const surfaces = await query({ metrics: ['active_users', 'turns'], dimensions: ['surface'] });
      const surfaceOfTurn = (x: Turn) => (x.client === 'CODEX_CLI' ? 'cli' : 'ide');
      assert.deepEqual(
        new Map(surfaces.data.map((x: any) => [x.surface, pick(x, ['active_users', 'turns'])])),
        new Map(
          ['cli', 'ide'].map((s) => [
            s,
            pick(truth(TURNS.filter((x) => surfaceOfTurn(x) === s)), ['active_users', 'turns']),
          ]),
        ),
      );
      const ide = await query({ metrics: ['turns', 'active_users'], filters: { client: ['CODEX_IDE_VSCODE'] } });
      assert.deepEqual(
        ide.data[0],
        pick(truth(TURNS.filter((x) => x.client === 'CODEX_IDE_VSCODE')), ['turns', 'active_users']),
      );
    });

    it('the users ranking: sorted and paged on the server, streaks, filters; one person_data.viewed each', async () => {
      const metrics = ['credits', 'threads', 'turns', 'text_total_tokens', 'current_streak'];
      const body = {
        metrics,
        dimensions: ['user'],
        order_by: [['turns', 'desc']],
        limit: 4,
        include: { total_rows: true },
      };
      const before = (await views()).length;
      const p1 = await query(body, viewerKey);
      const p2 = await query({ ...body, offset: 4 }, viewerKey);
      const recs = (await views()).slice(before);
      assert.equal(recs.length, 2, 'one record per request (none for the empty page below)');
      assert.deepEqual(recs[1].after.user_ids, [...p2.data.map((x: any) => x.user_id)].sort());
      assert.equal(recs[1].after.what, 'analytics.query');
      assert.deepEqual([p1.meta.has_more, p1.meta.next_offset, p1.meta.total_rows], [true, 4, PEOPLE.length]);
      assert.deepEqual([p2.meta.has_more, p2.meta.next_offset], [false, null]);
      const past = await query({ ...body, offset: 100 }, viewerKey);
      assert.deepEqual([past.data.length, past.meta.total_rows], [0, PEOPLE.length], 'a page past the end');
      const rows = [...p1.data, ...p2.data];
      const want = PEOPLE.map((u) => ({ u, turns: truth(TURNS.filter((x) => x.user === u)).turns })).sort(
        (a, b) => b.turns - a.turns || (ids[a.u] < ids[b.u] ? -1 : 1),
      );
      assert.deepEqual(
        rows.map((x: any) => x.user_id),
        want.map((w) => ids[w.u]),
      );
      for (const row of rows) {
        const u = PEOPLE.find((p) => ids[p] === row.user_id)!;
        assert.equal(row.email, names[u]);
        assert.deepEqual(
          pick(row, ['threads', 'turns', 'text_total_tokens']),
          pick(truth(TURNS.filter((x) => x.user === u)), ['threads', 'turns', 'text_total_tokens']),
        );
        assert.equal(row.current_streak, streakOf(u), `${u}'s streak`);
      }
      assert.deepEqual(
        [streakOf('ann'), streakOf('bob'), streakOf('cat'), streakOf('dan')],
        [3, 2, 0, 1],
        'the fixture has streaks worth checking',
      );
      // Credits per user equal the usage API's rows of that user.
      const byCredits = await query({ metrics: ['credits'], dimensions: ['user'], order_by: [['credits', 'asc']] });
      const sorted = byCredits.data.map((x: any) => x.credits);
      assert.deepEqual(
        sorted,
        [...sorted].sort((a: number, b: number) => a - b),
      );
      close(
        byCredits.data.reduce((n: number, x: any) => n + x.credits, 0),
        await usageSum('credits', 'group=user'),
      );
      // Filters: a client, a team (its members only).
      const vs = await query({
        metrics: ['turns'],
        dimensions: ['user'],
        filters: { client: ['CODEX_IDE_VSCODE'], team_id: 'big' },
      });
      const wantVs = BIG.filter((u) => TURNS.some((x) => x.user === u && x.client === 'CODEX_IDE_VSCODE'));
      assert.deepEqual(
        new Map(vs.data.map((x: any) => [x.user_id, x.turns])),
        new Map(
          wantVs.map((u) => [ids[u], TURNS.filter((x) => x.user === u && x.client === 'CODEX_IDE_VSCODE').length]),
        ),
      );
    });

    it('teams: members summed, small teams folded for viewers, whole for owners; service identities in none', async () => {
      const owner = await query({ metrics: ['active_users', 'turns'], dimensions: ['team'] });
      const of = (r: any, id: string) =>
        pick(r.data.find((x: any) => x.team_id === id) ?? {}, ['active_users', 'turns']);
      const teamTruth = (members: string[]) =>
        pick(truth(TURNS.filter((x) => members.includes(x.user))), ['active_users', 'turns']);
      assert.deepEqual(of(owner, team.big), teamTruth(BIG));
      assert.deepEqual(of(owner, team.small), teamTruth(SMALL), 'ci is a member, not counted');
      assert.equal(owner.data.find((x: any) => x.team_id === team.big).team_name, 'big');
      const viewer = await query({ metrics: ['active_users', 'turns'], dimensions: ['team'] }, viewerKey);
      assert.deepEqual(viewer.data.map((x: any) => x.team_id).sort(), [team.big, 'other'].sort());
      assert.deepEqual(of(viewer, 'other'), teamTruth(SMALL));
      // Members: each team's current size (the service identity is a member); "other" the sizes and
      // the number of the teams it folds.
      const size = (r: any, id: string) => {
        const x = r.data.find((y: any) => y.team_id === id);
        return [x.members, x.teams];
      };
      assert.deepEqual(size(owner, team.big), [BIG.length, undefined]);
      assert.deepEqual(size(owner, team.small), [SMALL.length + 1, undefined]);
      assert.deepEqual(size(viewer, 'other'), [SMALL.length + 1, 1]);
      const alone = await query({ metrics: ['turns'], filters: { team_id: 'small' } }, viewerKey, 422);
      assert.deepEqual(alone.detail[0].loc, ['body', 'filters', 'team_id']);
      assert.deepEqual((await query({ metrics: ['turns'], filters: { team_id: 'small' } })).data[0], {
        turns: teamTruth(SMALL).turns,
      });
    });

    it("a member's query is their own usage; a team lead's their teams' people", async () => {
      const before = (await views()).length;
      const mine = await asRole('ann', { metrics: ['turns', 'active_users'] });
      assert.deepEqual(mine.data[0], pick(truth(TURNS.filter((x) => x.user === 'ann')), ['turns', 'active_users']));
      const rank = await asRole('ann', { metrics: ['turns'], dimensions: ['user'] });
      assert.deepEqual(
        rank.data.map((x: any) => x.user_id),
        [ids.ann],
      );
      assert.equal((await views()).length, before, 'reading yourself names nobody else');
      const lead = await asRole('dan', { metrics: ['turns'], dimensions: ['user'] });
      assert.deepEqual(lead.data.map((x: any) => x.user_id).sort(), BIG.map((u) => ids[u]).sort());
      assert.equal((await views()).length, before + 1);
      const leadTotal = await asRole('dan', { metrics: ['turns'] });
      assert.equal(leadTotal.data[0].turns, truth(TURNS.filter((x) => BIG.includes(x.user))).turns);
    });

    it('bad queries are 422s naming the field', async () => {
      const bad: [unknown, (string | number)[]][] = [
        [{ metrics: ['turns'], nope: 1 }, ['body', 'nope']],
        [{ metrics: ['visitors'] }, ['body', 'metrics', 0]],
        [{ metrics: [] }, ['body', 'metrics']],
        [{ metrics: ['turns'], dimensions: ['time:month'] }, ['body', 'dimensions', 0]],
        [{ metrics: ['turns'], filters: { team: 'x' } }, ['body', 'filters', 'team']],
        [{ metrics: ['turns'], filters: { team_id: 'nope' } }, ['body', 'filters', 'team_id']],
        [{ metrics: ['turns'], date_range: '400d' }, ['body', 'date_range']],
        [{ metrics: ['turns'], date_range: ['2026-02-10', '2026-02-01'] }, ['body', 'date_range']],
        [{ metrics: ['threads'], dimensions: ['model'] }, ['body', 'metrics']],
        [{ metrics: ['turns'], dimensions: ['model', 'client'] }, ['body', 'dimensions']],
        [{ metrics: ['turns'], dimensions: ['model'], filters: { surface: ['cli'] } }, ['body', 'filters']],
        [{ metrics: ['turns'], filters: { surface: ['tv'] } }, ['body', 'filters', 'surface', 0]],
        [{ metrics: ['current_streak'], dimensions: ['client'] }, ['body', 'metrics']],
        [{ metrics: ['turns'], order_by: [['credits', 'desc']] }, ['body', 'order_by', 0]],
        [{ metrics: ['turns'], limit: 0 }, ['body', 'limit']],
        // A NUL in a filter value was a 500 on PostgreSQL (long fuzz run, seed 20261617).
        [{ metrics: ['text_total_tokens'], filters: { model: ['\u0000'] } }, ['body', 'filters', 'model', 0]],
        [{ metrics: ['turns'], filters: { user_id: ['a\u0000b'] } }, ['body', 'filters', 'user_id', 0]],
        [{ metrics: ['turns'], filters: { team_id: '\u0000' } }, ['body', 'filters', 'team_id']],
      ];
      for (const [body, loc] of bad) {
        const r = await query(body, t.ownerKey, 422);
        assert.deepEqual(r.detail[0].loc, loc, JSON.stringify(body));
      }
    });
  });
}

// Teams in the Analytics API (decisions/0026): group=team rows equal the sum of their members' user
// rows and the totals computed here from the fixtures sent; a user in two teams counts in both; small
// teams fold into "other" for keys without admin; service identities count in workspace totals only;
// per-user reads leave a person_data.viewed record; team changes are audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp, shiftTimes, truthOf, type Truth } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;
const start = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
const FIXTURES = ['exec-json.otel-logs.json', 'tui.otel-logs.json', 'appserver-vscode.otel-logs.json'];
const PEOPLE = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${x}@x.io`);
const CI = 'ci@x.io';

// A fixture as `who` sends it: its threads renamed so that every sender's are their own.
function payloadFor(who: string, n: number): any {
  const p = shiftTimes(loadOtlp(FIXTURES[n % FIXTURES.length]), start + DAY + n * 3_600_000);
  for (const rl of p.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? [])
        for (const kv of r.attributes ?? [])
          if (kv.key === 'conversation.id') kv.value.stringValue = `${kv.value.stringValue}-${who}`;
  return p;
}

type Totals = Record<string, number>;
const sumTotals = (rows: { totals: Totals }[]) => {
  const s: Totals = {};
  for (const r of rows) for (const [k, v] of Object.entries(r.totals)) s[k] = (s[k] ?? 0) + v;
  for (const k of Object.keys(s)) s[k] = Math.round(s[k] * 1e9) / 1e9;
  return s;
};
const truthTotals = (ts: Truth[]) => ({
  turns: ts.reduce((n, t) => n + t.turns, 0),
  threads: ts.reduce((n, t) => n + t.threads.size, 0),
  text_output_tokens: ts.reduce((n, t) => n + t.output, 0),
  cached_text_input_tokens: ts.reduce((n, t) => n + t.cached, 0),
  uncached_text_input_tokens: ts.reduce((n, t) => n + t.input - t.cached, 0),
});
const pick = (s: Totals) => ({
  turns: s.turns,
  threads: s.threads,
  text_output_tokens: s.text_output_tokens,
  cached_text_input_tokens: s.cached_text_input_tokens,
  uncached_text_input_tokens: s.uncached_text_input_tokens,
});

for (const dialect of DIALECTS) {
  describe(`teams and service identities in the usage API (${dialect})`, () => {
    let t: TestApp;
    let analyticsKey: string;
    const ids: Record<string, string> = {};
    const truth: Record<string, Truth> = {};
    const team: Record<string, string> = {};
    const window = `start_time=${start / 1000}&end_time=${Math.floor(Date.now() / 1000)}`;
    const req = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        payload: payload === undefined ? undefined : JSON.stringify(payload),
      });
    const usage = (q: string, key = t.ownerKey) =>
      req('GET', `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?${window}&limit=1000&${q}`, key);
    const admin = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown) =>
      req(method, `/v1/admin/workspaces/${t.workspaceId}${path}`, t.ownerKey, payload);
    const auditOf = async (action: string) =>
      (await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute())
        .map((c) => JSON.parse(c.content))
        .filter((c) => c.action === action);

    before(async () => {
      t = await makeApp(dialect);
      analyticsKey = await t.key(['codex.enterprise.analytics.read']);
      let n = 0;
      for (const e of [...PEOPLE, CI]) {
        ids[e] = await t.user(e);
        const key = await t.key(['ingest.write'], e, e === CI ? { service: true } : {});
        const p = payloadFor(e.split('@')[0], n++);
        truth[e] = truthOf([p]);
        const r = await req('POST', '/v1/logs', key, p);
        assert.equal(r.statusCode, 200, r.body);
      }
      for (const [name, members] of [
        ['big', PEOPLE.slice(0, 5)],
        ['small', [PEOPLE[0], PEOPLE[5], CI]],
      ] as const) {
        const r = await admin('POST', '/teams', { name });
        assert.equal(r.statusCode, 201, r.body);
        team[name] = r.json().id;
        for (const email of members) {
          const m = await admin('POST', `/teams/${team[name]}/members`, { email });
          assert.equal(m.statusCode, 200, m.body);
          assert.equal(m.json().added, true);
        }
      }
    });
    after(() => t.close());

    it('team rows are the sums of their members, a user in two teams counting in both', async () => {
      const users = (await usage('group=user')).json().data;
      const teams = (await usage('group=team')).json().data;
      const rowsOf = (id: string) => teams.filter((r: any) => r.team_id === id);
      const usersOf = (emails: string[]) => users.filter((r: any) => emails.includes(r.email));
      const big = PEOPLE.slice(0, 5);
      const small = [PEOPLE[0], PEOPLE[5]]; // the service identity is in the team but in no team row
      assert.deepEqual(pick(sumTotals(rowsOf(team.big))), truthTotals(big.map((e) => truth[e])));
      assert.deepEqual(sumTotals(rowsOf(team.big)), sumTotals(usersOf(big)));
      assert.deepEqual(pick(sumTotals(rowsOf(team.small))), truthTotals(small.map((e) => truth[e])));
      assert.deepEqual(sumTotals(rowsOf(team.small)), sumTotals(usersOf(small)));
      assert.ok(truth[PEOPLE[0]].turns > 0);
      assert.equal(rowsOf(team.big)[0].team_name, 'big');
      assert.equal(rowsOf(team.big)[0].members, 5);
      assert.deepEqual(users.find((r: any) => r.email === PEOPLE[0]).teams.sort(), [team.big, team.small].sort());
    });

    it('a service identity counts in workspace totals, not as a user row nor an active user', async () => {
      const users = (await usage('group=user')).json().data;
      assert.equal(
        users.some((r: any) => r.user_id === ids[CI]),
        false,
      );
      assert.deepEqual(new Set(users.map((r: any) => r.email)), new Set(PEOPLE));
      const ws = (await usage('group=workspace')).json().data;
      assert.deepEqual(pick(sumTotals(ws)), truthTotals([...PEOPLE, CI].map((e) => truth[e])));
      assert.ok(truth[CI].turns > 0);
      const active = await t.store.db.selectFrom('active_user_day_set').select('user_id').distinct().execute();
      assert.deepEqual(new Set(active.map((r) => r.user_id)), new Set(PEOPLE.map((e) => ids[e])));
    });

    it('folds teams below min_team_size into "other" for keys without admin', async () => {
      const rows = (await usage('group=team', analyticsKey)).json().data;
      assert.deepEqual([...new Set(rows.map((r: any) => r.team_id))].sort(), [team.big, 'other'].sort());
      const other = rows.filter((r: any) => r.team_id === 'other');
      assert.equal(other[0].team_name, null);
      assert.deepEqual(pick(sumTotals(other)), truthTotals([PEOPLE[0], PEOPLE[5]].map((e) => truth[e])));
      const alone = await usage(`group=team&team_id=${team.small}`, analyticsKey);
      assert.equal(alone.statusCode, 422, alone.body);
      assert.deepEqual(alone.json().detail[0].loc, ['query', 'team_id']);
      const owner = await usage(`group=team&team_id=small`);
      assert.deepEqual([...new Set(owner.json().data.map((r: any) => r.team_id))], [team.small]);
    });

    it('team_id keeps the members on per-user rows; precise 422s', async () => {
      const rows = (await usage(`group=user&team_id=${team.big}`)).json().data;
      assert.deepEqual(new Set(rows.map((r: any) => r.email)), new Set(PEOPLE.slice(0, 5)));
      for (const q of ['group=workspace&team_id=big', 'group=team&team_id=nope', 'team_id=']) {
        const r = await usage(q);
        assert.equal(r.statusCode, 422, `${q}: ${r.body}`);
        assert.deepEqual(r.json().detail[0].loc, ['query', 'team_id'], q);
      }
    });

    it('per-user reads record who looked at whom; team reads do not', async () => {
      const before = (await auditOf('person_data.viewed')).length;
      await usage('group=team');
      assert.equal((await auditOf('person_data.viewed')).length, before);
      await usage('group=user', analyticsKey);
      const recs = await auditOf('person_data.viewed');
      assert.equal(recs.length, before + 1);
      const text = JSON.stringify(recs[recs.length - 1]);
      const keyRow = await t.store.db
        .selectFrom('api_keys')
        .select('id')
        .where('scopes', '=', 'codex.enterprise.analytics.read')
        .executeTakeFirstOrThrow();
      assert.ok(text.includes(keyRow.id), text);
      for (const e of PEOPLE) assert.ok(text.includes(ids[e]), e);
    });

    it('team changes are audited; bad input is a precise 4xx', async () => {
      assert.equal((await auditOf('team.created')).length, 2);
      assert.equal((await auditOf('team.member_added')).length, 8);
      assert.equal((await admin('POST', '/teams', { name: 'big' })).statusCode, 409);
      assert.equal((await admin('POST', '/teams', { name: 'other' })).statusCode, 422);
      assert.equal((await admin('POST', '/teams', { name: 7 })).statusCode, 422);
      assert.equal((await admin('POST', `/teams/${team.big}/members`, { email: 'nobody@x.io' })).statusCode, 404);
      const again = await admin('POST', `/teams/${team.big}/members`, { email: PEOPLE[1] });
      assert.equal(again.json().added, false);
      assert.equal((await auditOf('team.member_added')).length, 8);
      const rm = await admin('DELETE', `/teams/${team.small}/members/${PEOPLE[5]}`);
      assert.equal(rm.statusCode, 200, rm.body);
      assert.equal((await admin('DELETE', `/teams/${team.small}/members/${PEOPLE[5]}`)).statusCode, 404);
      const list = (await admin('GET', '/teams')).json().data;
      assert.deepEqual(
        list.map((x: any) => [x.name, x.members]),
        [
          ['big', 5],
          ['small', 2],
        ],
      );
      assert.equal((await admin('DELETE', `/teams/${team.small}`)).statusCode, 200);
      assert.equal((await auditOf('team.deleted')).length, 1);
      assert.equal((await admin('GET', `/teams/${team.small}`)).statusCode, 404);
    });
  });
}

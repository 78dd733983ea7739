// GET .../skills on both databases, from the real 0.169 and 0.171 captures of codex.skill_invocation
// (test/e2e/support/capture-events.ts): two users (the second's threads renamed and moved back a
// week), every count equal to what this file counts from the fixtures itself, per user and per
// workspace, by day and week, across pages; replays and a retried batch add nothing; a member sees
// only their own rows; unknown parameters are 422s naming them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser, signIn, userWithPassword } from '../support/accounts.js';
import { FIXTURES, loadOtlp, records } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const RUNS = [
  'events-0.169/agent-response-skill',
  'events-0.169/guardian',
  'events-0.171/agent-response-skill',
  'events-0.171/guardian',
];
const DAY = 86_400_000;
const bodies = () =>
  RUNS.flatMap((run) =>
    fs
      .readdirSync(path.join(FIXTURES, 'otlp', run))
      .filter((f) => f.startsWith('otel-logs-'))
      .sort()
      .map((f) => loadOtlp(`${run}/${f}`)),
  );

// Every record's event.timestamp moved by `shift` ms and its conversation.id suffixed: the same
// events as another user's sessions.
function moved(body: any, shift: number, suffix: string): any {
  const b = structuredClone(body);
  for (const rl of b.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords)
        for (const a of r.attributes) {
          if (a.key === 'event.timestamp')
            a.value.stringValue = new Date(Date.parse(a.value.stringValue) + shift).toISOString();
          if (a.key === 'conversation.id') a.value.stringValue += suffix;
        }
  return b;
}

interface Invocation {
  user: string;
  ts: number;
  name: string;
  scope: string;
}
// Ground truth: the skill invocations of a body, read here from its attributes.
const invocationsOf = (body: any, user: string): Invocation[] =>
  [...records(body)]
    .filter((a) => a['event.name'] === 'codex.skill_invocation')
    .map((a) => ({
      user,
      ts: Date.parse(String(a['event.timestamp'])),
      name: String(a['skill.name']),
      scope: String(a['skill.scope']),
    }));

const dayOf = (ts: number) => Math.floor(ts / DAY);
const weekOf = (ts: number) => Math.floor((dayOf(ts) + 3) / 7);
const startOf = (grain: 'day' | 'week', ts: number) =>
  grain === 'day' ? dayOf(ts) * 86_400 : (weekOf(ts) * 7 - 3) * 86_400;

// The expected rows: per bucket (and user), the skills and their counts, as the API sorts them.
function expected(inv: Invocation[], grain: 'day' | 'week', perUser: boolean) {
  const rows = new Map<string, { start_time: number; user_id?: string; skills: Map<string, number> }>();
  for (const i of inv) {
    const start = startOf(grain, i.ts);
    const id = `${start}|${perUser ? i.user : ''}`;
    const row = rows.get(id) ?? { start_time: start, ...(perUser ? { user_id: i.user } : {}), skills: new Map() };
    rows.set(id, row);
    const k = `${i.name}|${i.scope}`;
    row.skills.set(k, (row.skills.get(k) ?? 0) + 1);
  }
  return [...rows.values()]
    .sort((a, b) => a.start_time - b.start_time || (a.user_id! < b.user_id! ? -1 : a.user_id! > b.user_id! ? 1 : 0))
    .map((r) => {
      const skills = [...r.skills]
        .map(([k, n]) => ({ skill_name: k.split('|')[0]!, scope: k.split('|')[1]!, invocations: n }))
        .sort((a, b) => b.invocations - a.invocations || a.skill_name.localeCompare(b.skill_name));
      return {
        start_time: r.start_time,
        ...(r.user_id ? { user_id: r.user_id } : {}),
        invocations: skills.reduce((n, s) => n + s.invocations, 0),
        skills,
      };
    });
}

for (const dialect of DIALECTS) {
  describe(`GET .../skills (${dialect})`, () => {
    let t: TestApp;
    const users: Record<string, string> = {};
    const keys: Record<string, string> = {};
    let read = '';
    const inv: Invocation[] = [];
    before(async () => {
      t = await makeApp(dialect);
      users.dev = await userWithPassword(t, 'dev@example.com', 'member');
      users.ops = await t.user('ops@example.com');
      keys.dev = await t.key(['ingest.write'], 'dev@example.com');
      keys.ops = await t.key(['ingest.write'], 'ops@example.com');
      read = await t.key(['codex.enterprise.analytics.read']);
    });
    after(async () => t?.close());

    const post = async (user: string, body: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[user]}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().partialSuccess, undefined);
    };
    // Every page of a query, following next_page.
    const all = async (q: string) => {
      const base = `/v1/analytics/codex/workspaces/${t.workspaceId}/skills`;
      const out: any[] = [];
      let page = '';
      for (let n = 0; n < 50; n++) {
        const r = await t.app.inject({
          method: 'GET',
          url: `${base}?${q}${page ? `&page=${page}` : ''}`,
          headers: { authorization: `Bearer ${read}` },
        });
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        out.push(...body.data);
        if (!body.has_more) return out;
        page = encodeURIComponent(body.next_page);
      }
      throw new Error('too many pages');
    };
    const shape = (rows: any[]) =>
      rows.map((r) => ({
        start_time: r.start_time,
        ...(r.user_id ? { user_id: r.user_id } : {}),
        invocations: r.invocations,
        skills: r.skills,
      }));

    // The captures moved to the last days (within the lookback whatever day the test runs), ops's a
    // week earlier; the window covers both.
    let window = '';
    it('counts each invocation once, per user and workspace, day and week, across pages', async () => {
      const latest = Math.max(...bodies().flatMap((b) => invocationsOf(b, '').map((i) => i.ts)));
      const shift = Math.floor((Date.now() - 2 * DAY - latest) / DAY) * DAY;
      for (const b of bodies()) {
        const mine = moved(b, shift, '');
        const theirs = moved(b, shift - 8 * DAY, '-ops');
        await post('dev', mine);
        await post('ops', theirs);
        inv.push(...invocationsOf(mine, users.dev!), ...invocationsOf(theirs, users.ops!));
      }
      assert.equal(inv.length, 4, 'one invocation per agent-response-skill capture and user');
      const from = Math.floor((Math.min(...inv.map((i) => i.ts)) - 14 * DAY) / 1000);
      window = `start_time=${from}&end_time=${Math.floor(Date.now() / 1000)}`;
      for (const grain of ['day', 'week'] as const) {
        assert.deepEqual(shape(await all(`${window}&group_by=${grain}&limit=1`)), expected(inv, grain, true), grain);
        assert.deepEqual(
          shape(await all(`${window}&group_by=${grain}&group=workspace&limit=1`)),
          expected(inv, grain, false),
          `${grain}, workspace`,
        );
      }
    });

    it('replays and a retried batch add nothing', async () => {
      const before = await all(`${window}&group_by=week&group=workspace`);
      const latest = Math.max(...bodies().flatMap((b) => invocationsOf(b, '').map((i) => i.ts)));
      const shift = Math.floor((Date.now() - 2 * DAY - latest) / DAY) * DAY;
      for (const b of bodies()) {
        await post('dev', moved(b, shift, ''));
        // A payload repeating its records (a client's retry inside one batch).
        const twice = moved(b, shift - 8 * DAY, '-ops');
        for (const rl of twice.resourceLogs) for (const sl of rl.scopeLogs) sl.logRecords.push(...sl.logRecords);
        await post('ops', twice);
      }
      assert.deepEqual(await all(`${window}&group_by=week&group=workspace`), before);
      assert.deepEqual(shape(await all(`${window}&group_by=day`)), expected(inv, 'day', true));
    });

    it('a member sees only their own rows; unknown parameters are refused by name', async () => {
      const dev = await signIn(t, 'dev@example.com');
      const url = `/v1/analytics/codex/workspaces/${t.workspaceId}/skills?${window}`;
      const mine = await asBrowser(t, dev, { url });
      assert.equal(mine.statusCode, 200, mine.body);
      assert.deepEqual(
        shape(mine.json().data),
        expected(
          inv.filter((i) => i.user === users.dev),
          'day',
          true,
        ),
      );
      const totals = await asBrowser(t, dev, { url: `${url}&group=workspace` });
      assert.equal(totals.statusCode, 403, totals.body);
      const bad = await t.app.inject({
        method: 'GET',
        url: `${url}&skill=greet`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(bad.statusCode, 422, bad.body);
      assert.deepEqual(bad.json().detail[0].loc, ['query', 'skill']);
    });
  });
}

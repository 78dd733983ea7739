// The trailing-window path of the query model (decisions/0042) on both databases: once the day's
// base is built, the dashboard's 7/30/90-day panels (rankings with streaks, client, model, surface
// and team filters, tiles, active users by client, surface, model and team) read it, and every
// figure equals the day rollups' answer for the same query and the truth computed here from the
// records sent: after late events on past days (a streak lengthened, a new client, a day only the
// 90-day window holds, a service identity's), after their replays, with a base from yesterday (the
// day rollups again), and with the job run from two nodes (one build).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWindows, startWindowJob, WINDOW_JOB } from '../../src/ingest/index.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { makeApp, type TestApp } from '../support/app.js';
import { synthPayload, type SynthRecord } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS);
const CLIENT: Record<string, string> = { 'codex-tui': 'CODEX_CLI', codex_vscode: 'CODEX_IDE_VSCODE' };
const SURFACE: Record<string, string> = { CODEX_CLI: 'cli', CODEX_IDE_VSCODE: 'ide' };

// [user, days ago, originator, model, turns]; one thread per entry.
type Work = [string, number, string, string, number];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const FIRST: Work[] = [
  ['ann', 0, 'codex-tui', 'gpt-5.5', 2],
  ['ann', 1, 'codex-tui', 'gpt-5.5', 1],
  ['ann', 2, 'codex_vscode', 'gpt-5.4', 3],
  ['ann', 3, 'codex-tui', 'gpt-5.5', 1],
  ['ann', 5, 'codex-tui', 'gpt-5.5', 1],
  ['bob', 1, 'codex_vscode', 'gpt-5.4', 2],
  ['bob', 2, 'codex_vscode', 'gpt-5.4', 1],
  ['bob', 35, 'codex-tui', 'gpt-5.5', 1],
  ['cat', 3, 'codex-tui', 'gpt-5.4', 4],
  ['cat', 80, 'codex-tui', 'gpt-5.5', 1],
  ['dan', 0, 'codex-tui', 'gpt-5.5', 1],
  ['dan', 0, 'codex_vscode', 'gpt-5.5', 2],
  ...range(1, 40).map((d): Work => ['eve', d, d % 3 ? 'codex_vscode' : 'codex-tui', 'gpt-5.4', 1]),
  ...range(0, 70).map((d): Work => ['fay', d, 'codex-tui', d % 2 ? 'gpt-5.5' : 'gpt-5.4', 1]),
  ['ci', 0, 'codex-tui', 'gpt-5.5', 5],
  ['ci', 10, 'codex-tui', 'gpt-5.5', 3],
];
// Sent after the base is built: every one on a day before today but dan's.
const LATE: Work[] = [
  ['ann', 4, 'codex-tui', 'gpt-5.5', 2], // joins 0-3 and 5: ann's streak 4 -> 6
  ['bob', 20, 'codex_vscode', 'gpt-5.5', 1],
  ['cat', 60, 'codex_vscode', 'gpt-5.4', 2], // only the 90-day window
  ['cat', 1, 'codex-tui', 'gpt-5.4', 1],
  ['dan', 0, 'codex-tui', 'gpt-5.4', 1],
  ['eve', 41, 'codex-tui', 'gpt-5.4', 1],
  ['ci', 2, 'codex-tui', 'gpt-5.5', 2],
];
const PEOPLE = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];
const BIG = ['ann', 'bob', 'cat', 'dan', 'eve'];

interface Turn {
  user: string;
  day: number;
  client: string;
  model: string;
  thread: string;
  input: number;
  output: number;
}
const turnsOf = (work: Work[], tag: string): Turn[] =>
  work.flatMap(([user, ago, originator, model, n], w) =>
    range(1, n).map((i) => ({
      user,
      day: today - ago,
      client: CLIENT[originator],
      model,
      thread: `${tag}${w}-${user}`,
      input: 1000 + 37 * w + 11 * i,
      output: 300 + 13 * i + w,
    })),
  );
const payloadOf = (turns: Turn[], user: string) => {
  const recs: SynthRecord[] = [];
  const originator = (c: string) => Object.keys(CLIENT).find((o) => CLIENT[o] === c)!;
  turns
    .filter((t) => t.user === user)
    .forEach((t, i) => {
      const ts = t.day * DAY_MS + 1000 * (10 * i + 1);
      const base = { conv: t.thread, originator: originator(t.client), model: t.model };
      recs.push({ ...base, ts, kind: 'prompt' });
      recs.push({ ...base, ts: ts + 1, kind: 'response', input: t.input, cached: 100, output: t.output, reasoning: 7 });
    });
  return synthPayload(recs);
};

// A dashboard query and the truth of its countable metrics from the turns alone.
interface Q {
  days: number;
  metrics: string[];
  dimensions?: string[];
  filters?: { client?: string[]; model?: string[]; surface?: string[]; team?: string[] };
}
const COUNTABLE = ['active_users', 'threads', 'turns', 'text_total_tokens', 'current_streak'];
function truth(all: Turn[], q: Q, teams: Record<string, string[]>): Map<string, Record<string, number>> {
  const dim = q.dimensions?.[0];
  const f = q.filters ?? {};
  const personLevel = dim === 'user' || dim === 'team' || f.team !== undefined;
  const picked = all.filter(
    (t) =>
      t.day > today - q.days &&
      (!f.client || f.client.includes(t.client)) &&
      (!f.model || f.model.includes(t.model)) &&
      (!f.surface || f.surface.includes(SURFACE[t.client])) &&
      (!f.team || f.team.includes(t.user)) &&
      (!personLevel || t.user !== 'ci'),
  );
  const keysOf = (t: Turn): string[] =>
    dim === undefined
      ? ['']
      : dim === 'user'
        ? [t.user]
        : dim === 'client'
          ? [t.client]
          : dim === 'surface'
            ? [SURFACE[t.client]]
            : dim === 'model'
              ? [t.model]
              : Object.keys(teams).filter((k) => teams[k].includes(t.user));
  const groups = new Map<string, Turn[]>();
  for (const t of picked) for (const k of keysOf(t)) groups.set(k, [...(groups.get(k) ?? []), t]);
  const out = new Map<string, Record<string, number>>();
  for (const [k, ts] of groups) {
    const days = new Set(ts.map((t) => t.day));
    const cap = Math.min(q.days, 62);
    let d = days.has(today) ? today : today - 1;
    let streak = 0;
    while (days.has(d) && d > today - cap) streak++, d--;
    const row: Record<string, number> = {
      active_users: new Set(ts.filter((t) => t.user !== 'ci').map((t) => t.user)).size,
      threads: new Set(ts.map((t) => `${t.day}|${t.thread}`)).size,
      turns: ts.length,
      text_total_tokens: ts.reduce((n, t) => n + t.input + t.output, 0),
      current_streak: streak,
    };
    out.set(k, Object.fromEntries(q.metrics.filter((m) => COUNTABLE.includes(m)).map((m) => [m, row[m]])));
  }
  return out;
}

const tiles = ['active_users', 'threads', 'turns', 'credits', 'cost_usd', 'text_total_tokens'];
const ranking = ['credits', 'threads', 'turns', 'text_total_tokens', 'current_streak'];
const QUERIES: Q[] = [
  ...[7, 30, 90].flatMap((days): Q[] => [
    { days, metrics: tiles },
    { days, metrics: ranking, dimensions: ['user'] },
    { days, metrics: ['active_users', 'threads', 'turns', 'credits', 'text_total_tokens'], dimensions: ['client'] },
    { days, metrics: ['active_users', 'turns'], dimensions: ['surface'] },
    { days, metrics: ['active_users', 'turns', 'credits'], dimensions: ['team'] },
    { days, metrics: ['active_users', 'turns', 'text_total_tokens'], dimensions: ['model'] },
    // Counted from the base's rows and today's new people (decisions/0069): the ranking's team options.
    { days, metrics: ['active_users'], dimensions: ['team'] },
  ]),
  { days: 30, metrics: ['active_users'], dimensions: ['client'], filters: { surface: ['ide'] } },
  { days: 90, metrics: ['active_users', 'turns'], dimensions: ['surface'], filters: { surface: ['ide', 'cli'] } },
  { days: 7, metrics: ['active_users'], dimensions: ['team'], filters: { client: ['CODEX_CLI'] } },
  { days: 30, metrics: ranking, dimensions: ['user'], filters: { client: ['CODEX_IDE_VSCODE'] } },
  { days: 90, metrics: ranking, dimensions: ['user'], filters: { client: ['CODEX_CLI'] } },
  {
    days: 90,
    metrics: ['credits', 'turns', 'text_total_tokens', 'current_streak'],
    dimensions: ['user'],
    filters: { model: ['gpt-5.4'] },
  },
  { days: 90, metrics: ranking, dimensions: ['user'], filters: { team: BIG } },
  { days: 30, metrics: ranking, dimensions: ['user'], filters: { surface: ['cli'] } }, // streak from the day rows
  { days: 7, metrics: ['active_users', 'turns'], filters: { client: ['CODEX_CLI', 'CODEX_IDE_VSCODE'] } },
  { days: 90, metrics: ['active_users', 'turns'], filters: { model: ['gpt-5.5'] } },
];

for (const dialect of DIALECTS) {
  describe(`trailing windows (${dialect})`, () => {
    let t: TestApp;
    let other: Store;
    const ids: Record<string, string> = {};
    const keys: Record<string, string> = {};
    const team: Record<string, string> = {};
    const members: Record<string, string[]> = {};
    const sent: Turn[] = [];

    // Each person's payload, made once: sent again, it is a replay.
    const payloads = (turns: Turn[]) => [...new Set(turns.map((x) => x.user))].map((u) => [u, payloadOf(turns, u)]);
    const send = async (batch: ReturnType<typeof payloads>) => {
      for (const [u, payload] of batch) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/v1/logs',
          headers: { authorization: `Bearer ${keys[u]}`, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        assert.equal(r.statusCode, 200, r.body);
      }
    };
    const bodyOf = (q: Q) => ({
      metrics: q.metrics,
      dimensions: q.dimensions ?? [],
      filters: {
        ...(q.filters?.client ? { client: q.filters.client } : {}),
        ...(q.filters?.model ? { model: q.filters.model } : {}),
        ...(q.filters?.surface ? { surface: q.filters.surface } : {}),
        ...(q.filters?.team ? { team_id: team.big } : {}),
      },
      // As the dashboard sends them: first and last day; '30d' is the same range.
      date_range: [today - q.days + 1, today].map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)),
      limit: 1000,
      include: { total_rows: true },
    });
    const ask = async (q: Q) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/query`,
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify(bodyOf(q)),
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const answers = () => Promise.all(QUERIES.map(ask));
    // The day rollups' answers: the same queries with no base for today.
    const dayPath = async () => {
      const state = await t.store.db.selectFrom('usage_window_state').selectAll().execute();
      await t.store.db.deleteFrom('usage_window_state').execute();
      try {
        return await answers();
      } finally {
        if (state.length) await t.store.db.insertInto('usage_window_state').values(state).execute();
      }
    };
    const name = (uid: string) => PEOPLE.find((p) => ids[p] === uid) ?? uid;
    const keyOf = (q: Q, row: any) => {
      const d = q.dimensions?.[0];
      return d === undefined ? '' : d === 'user' ? name(row.user_id) : d === 'team' ? row.team_id : row[d];
    };
    const checkTruth = (got: any[]) => {
      const teams = { [team.big]: BIG, [team.small]: members.small };
      QUERIES.forEach((q, i) => {
        const want = truth(sent, q, teams);
        const have = new Map<string, Record<string, number>>(
          got[i].data.map((row: any) => [
            keyOf(q, row),
            Object.fromEntries(q.metrics.filter((m) => COUNTABLE.includes(m)).map((m) => [m, row[m]])),
          ]),
        );
        assert.deepEqual(have, want, JSON.stringify(q));
      });
    };
    // Shows whether the panels read the base: a base row changed on purpose changes the answers.
    // Whether the window path reads the base: its rows tampered with change the answers. The
    // unfiltered ranking reads the base's row per person (decisions/0058), a client's ranking the
    // rows per client; both or neither.
    const readsBase = async () => {
      const ws = t.workspaceId;
      const client = QUERIES.findIndex((q) => q.filters?.client?.length === 1 && q.dimensions?.[0] === 'user');
      const changed: boolean[] = [];
      for (const [table, q] of [
        ['usage_person_window', QUERIES[1]],
        ['usage_user_window', QUERIES[client]],
      ] as const) {
        const before = await ask(q);
        await t.store.db.updateTable(table).set({ turns: 1_000_000 }).where('workspace_id', '=', ws).execute();
        changed.push(JSON.stringify(before) !== JSON.stringify(await ask(q)));
        // Put back exactly what the job would have built.
        const anchor = (await t.store.db.selectFrom('usage_window_state').select('anchor').executeTakeFirst())?.anchor;
        if (anchor !== undefined) await buildWindows(t.store.db, ws, Number(anchor) * DAY_MS);
      }
      assert.equal(changed[0], changed[1], `the base read by person and by client: ${changed}`);
      return changed[0];
    };

    before(async () => {
      t = await makeApp(dialect);
      for (const u of [...PEOPLE, 'ci']) {
        ids[u] = await t.user(`${u}@x.io`);
        keys[u] = await t.key(['ingest.write'], `${u}@x.io`, u === 'ci' ? { service: true } : {});
      }
      const admin = (url: string, payload: unknown) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/admin/workspaces/${t.workspaceId}${url}`,
          headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
      members.small = ['fay', 'ci'];
      for (const [n, list] of [
        ['big', BIG],
        ['small', members.small],
      ] as const) {
        team[n] = (await admin('/teams', { name: n })).json().id;
        for (const m of list)
          assert.equal((await admin(`/teams/${team[n]}/members`, { email: `${m}@x.io` })).statusCode, 200);
      }
      const first = turnsOf(FIRST, 'a');
      await send(payloads(first));
      sent.push(...first);
      other = openStore(t.store.reopen);
    });
    after(async () => {
      await other.close();
      await t.close();
    });

    it('before a base is built, the day rollups answer, exactly', async () => {
      const got = await answers();
      checkTruth(got);
      assert.equal(await readsBase(), false);
      const streaks = got[QUERIES.findIndex((q) => q.days === 90 && q.dimensions?.[0] === 'user' && !q.filters)];
      assert.deepEqual(
        Object.fromEntries(streaks.data.map((r: any) => [name(r.user_id), r.current_streak])),
        { ann: 4, bob: 2, cat: 0, dan: 1, eve: 40, fay: 62 },
        'the fixture has streaks worth checking (62: the most counted)',
      );
    });

    it("the job runs once across two nodes and builds today's base", async () => {
      const quiet = {
        info() {},
        error(o: object) {
          throw new Error(JSON.stringify(o));
        },
      };
      const jobs = [t.store.db, other.db].map((db, i) =>
        startWindowJob(db, quiet, { node: `node-${i}`, firstDelayMs: 0 }),
      );
      const deadline = Date.now() + 20_000;
      let runs: { node: string; finished_at: number | null; result: string | null }[] = [];
      while (Date.now() < deadline) {
        runs = await t.store.db
          .selectFrom('job_runs')
          .select(['node', 'finished_at', 'result'])
          .where('job', '=', WINDOW_JOB)
          .execute();
        if (runs.length && runs.every((r) => r.finished_at !== null)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300)); // both nodes have ticked
      await Promise.all(jobs.map((j) => j.stop()));
      runs = await t.store.db
        .selectFrom('job_runs')
        .select(['node', 'finished_at', 'result'])
        .where('job', '=', WINDOW_JOB)
        .execute();
      assert.equal(runs.length, 1, 'one node built the base');
      assert.equal(JSON.parse(runs[0].result!).anchor, today);
      const state = await t.store.db.selectFrom('usage_window_state').selectAll().execute();
      assert.deepEqual(
        state.map((s) => Number(s.anchor)),
        [today],
      );
    });

    it("the job keeps a base already built for the day (steward demo's) instead of building it again", async () => {
      const before = await t.store.db.selectFrom('usage_window_state').selectAll().execute();
      await t.store.db.deleteFrom('job_runs').where('job', '=', WINDOW_JOB).execute();
      const job = startWindowJob(t.store.db, { info() {}, error() {} }, { node: 'node-again', firstDelayMs: 0 });
      const deadline = Date.now() + 20_000;
      let run: { result: string | null } | undefined;
      while (Date.now() < deadline && !run?.result) {
        await new Promise((r) => setTimeout(r, 50)); // the job's timer runs between polls
        run = await t.store.db.selectFrom('job_runs').select('result').where('job', '=', WINDOW_JOB).executeTakeFirst();
      }
      await job.stop();
      assert.deepEqual(JSON.parse(run!.result!), { anchor: today, kept: true });
      assert.deepEqual(await t.store.db.selectFrom('usage_window_state').selectAll().execute(), before);
    });

    it('with the base, every panel reads it and answers as the day rollups and the truth', async () => {
      const got = await answers();
      assert.deepEqual(got, await dayPath());
      checkTruth(got);
      assert.equal(await readsBase(), true, 'the window path reads the base');
    });

    it('late events on past days, and their replays, keep the base exact', async () => {
      const late = turnsOf(LATE, 'b');
      const batch = payloads(late);
      await send(batch);
      sent.push(...late);
      const got = await answers();
      assert.deepEqual(got, await dayPath());
      checkTruth(got);
      const ranking90 = got[QUERIES.findIndex((q) => q.days === 90 && q.dimensions?.[0] === 'user' && !q.filters)];
      assert.equal(ranking90.data.find((r: any) => r.user_id === ids.ann).current_streak, 6, "ann's streak joined");
      await send(batch); // a replay adds nothing
      assert.deepEqual(await answers(), got);
      assert.equal(await readsBase(), true);
    });

    it("a base from yesterday's anchor is not read: the day rollups answer, exactly", async () => {
      await buildWindows(t.store.db, t.workspaceId, (today - 1) * DAY_MS);
      const got = await answers();
      checkTruth(got);
      assert.equal(await readsBase(), false);
      await buildWindows(t.store.db, t.workspaceId);
      assert.deepEqual(await answers(), got);
      assert.equal(await readsBase(), true);
    });
  });
}

// The dashboard's queries at scale (decisions/0033): 10,000 users x 90 days of rollups on SQLite and
// PostgreSQL, written through the ingest's own rollup inserts (support/usage-generator.ts), 100 teams
// of 100; then p50/p95 of each panel's query through the real app over loopback HTTP (auth, body
// validation, the one SQL, JSON). Target: p95 <= 50 ms per panel on both databases. Each panel is
// measured twice in one run: on the day rollups (no base for today: the plan's fallback, and what
// every query read before decisions/0042), then after building today's trailing-window base as the
// daily job does (buildWindows), whose time is printed too. Then the user page's usage read (GET
// .../usage?group=user&user_id, the heaviest user, 30 and 90 days), as the dashboard asks for it.
// Run: node --import tsx bench/query.bench.ts [--dialect sqlite|postgres] [--turns N] [--iterations N] [--reuse]
//      [--only LABEL] [--paths days,windows]
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { configSchema } from '../src/config/schema.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import { newId } from '../src/core/ids.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { insertMember, insertTeam } from '../src/platform/tenancy/teams.repository.js';
import { buildWindows } from '../src/ingest/index.js';
import { refreshStatistics } from '../src/platform/storage/dialect.js';
import { benchStore, clockToStoreDay } from './support/stores.js';
import { generateUsage } from './support/usage-generator.js';
import { stats } from './support/prng.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '10000' },
    dialect: { type: 'string' },
    iterations: { type: 'string', default: '60' },
    only: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    paths: { type: 'string', default: 'days,windows' },
  },
});
const TURNS = Number(values.turns);
const USERS = Number(values.users);
const ITER = Number(values.iterations);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];

const tiles = ['active_users', 'threads', 'turns', 'credits', 'cost_usd', 'text_total_tokens'];
const ranking = (extra: object = {}) => ({
  metrics: ['credits', 'threads', 'turns', 'text_total_tokens', 'current_streak'],
  dimensions: ['user'],
  date_range: '90d',
  order_by: [['credits', 'desc']],
  limit: 100,
  include: { total_rows: true },
  ...extra,
});
// Every panel of the overview and the ranking, as the dashboard asks for them.
const PANELS: Record<string, (team: string) => object> = {
  'tiles, 30 d': () => ({ metrics: tiles, date_range: '30d' }),
  'tiles, 90 d': () => ({ metrics: tiles, date_range: '90d' }),
  'by surface (active users, threads, turns), 30 d': () => ({
    metrics: ['active_users', 'threads', 'turns', 'credits', 'text_total_tokens'],
    dimensions: ['client'],
    date_range: '30d',
  }),
  'credits + tokens by day x surface, 90 d': () => ({
    metrics: ['credits', 'text_total_tokens'],
    dimensions: ['time:day', 'client'],
    date_range: '90d',
  }),
  'credits + tokens by week x model, 90 d': () => ({
    metrics: ['credits', 'text_total_tokens'],
    dimensions: ['time:week', 'model'],
    date_range: '90d',
  }),
  'active users by day, 90 d': () => ({ metrics: ['active_users'], dimensions: ['time:day'], date_range: '90d' }),
  'ranking by credits, 90 d, page 1': () => ranking(),
  'ranking by turns, 90 d, offset 5,000': () => ranking({ order_by: [['turns', 'desc']], offset: 5000 }),
  'ranking, 30 d, filter client': () => ranking({ date_range: '30d', filters: { client: ['CODEX_IDE_VSCODE'] } }),
  'ranking, 90 d, filter model': () =>
    ranking({ metrics: ['credits', 'turns', 'text_total_tokens'], filters: { model: ['gpt-5.5'] } }),
  'ranking, 90 d, filter team': (team) => ranking({ filters: { team_id: team } }),
  'teams, 30 d': () => ({ metrics: ['active_users', 'turns', 'credits'], dimensions: ['team'], date_range: '30d' }),
};

for (const dialect of dialects) {
  const store = await benchStore(dialect, `query_${TURNS}_${USERS}`, !values.reuse);
  const existing = values.reuse ? await store.db.selectFrom('workspaces').select('id').executeTakeFirst() : undefined;
  let workspaceId: string;
  if (existing) {
    workspaceId = existing.id;
    console.log(`[${dialect}] reusing generated data`);
  } else {
    const t0 = Date.now();
    const g = await generateUsage(store.db, { users: USERS, days: 90, turns: TURNS, seed: 7, dialect }, console.log);
    workspaceId = g.workspaceId;
    const users = await store.db.selectFrom('users').select('id').where('workspace_id', '=', workspaceId).execute();
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < users.length; i += 100) {
        const id = newId();
        await insertTeam(trx, { id, workspace_id: workspaceId, name: `team-${i / 100}`, created_at: Date.now() });
        for (const u of users.slice(i, i + 100))
          await insertMember(trx, { team_id: id, user_id: u.id, workspace_id: workspaceId, added_at: Date.now() });
      }
    });
    console.log(
      `[${dialect}] ${g.rows} rollup rows, ${g.totalTurns} turns, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    // What autovacuum would have done by now on a server that runs it (the bench server does not).
    if (dialect === 'postgres') {
      const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.db);
      await refreshStatistics(
        store.db,
        tables.rows.map((r) => r.t),
      );
    }
  }
  await clockToStoreDay(store.db, workspaceId, dialect);
  const team = (await store.db.selectFrom('teams').select('id').orderBy('name').executeTakeFirstOrThrow()).id;
  const { app } = await buildApp({ store, config: configSchema.parse({}) });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const { secret } = await createKey(
    store.db,
    { workspaceId, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  );
  const post = async (body: object) => {
    const t = performance.now();
    const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${workspaceId}/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    const ms = performance.now() - t;
    if (r.status !== 200) throw new Error(`${JSON.stringify(body)}: ${r.status} ${text}`);
    return { ms, body: JSON.parse(text) };
  };
  const get = async (url: string) => {
    const t = performance.now();
    const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${workspaceId}/${url}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    const text = await r.text();
    const ms = performance.now() - t;
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${text}`);
    return { ms, body: JSON.parse(text) };
  };
  const heaviest = (
    await store.db
      .selectFrom('usage_user_day')
      .select(['user_id', (eb) => eb.fn.sum<number>('turns').as('turns')])
      .where('workspace_id', '=', workspaceId)
      .groupBy('user_id')
      .orderBy('turns', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
  ).user_id;
  const userPage = (days: number) => {
    const end = Math.floor(Date.now() / 86_400_000) + 1;
    const start = String((end - days) * 86400);
    const q = { start_time: start, end_time: String(end * 86400), group: 'user', limit: '30000', user_id: heaviest };
    return `usage?${new URLSearchParams(q)}`;
  };
  const USER_PAGE: Record<string, () => string> = {
    'user page: usage, heaviest user, 30 d': () => userPage(30),
    'user page: usage, heaviest user, 90 d': () => userPage(90),
  };
  const check = await post({ metrics: ['turns', 'active_users'], date_range: '90d' });
  console.log(`[${dialect}] 90 d: ${JSON.stringify(check.body.data[0])}`);
  // CPU of this process per request (the app and the client; with SQLite the query too, with
  // PostgreSQL not the server's): steadier than wall time on a shared machine.
  const measure = async () => {
    const results: Record<string, ReturnType<typeof stats> & { cpu_ms: number; rows: number }> = {};
    const requests = [
      ...Object.entries(PANELS).map(([label, body]) => [label, () => post(body(team))] as const),
      ...Object.entries(USER_PAGE).map(([label, url]) => [label, () => get(url())] as const),
    ];
    for (const [label, request] of requests) {
      if (values.only && !label.includes(values.only)) continue;
      for (let i = 0; i < 5; i++) await request(); // warm-up
      const s: number[] = [];
      let rows = 0;
      const cpu = process.cpuUsage();
      for (let i = 0; i < ITER; i++) {
        const r = await request();
        s.push(r.ms);
        rows = r.body.data.length;
      }
      const used = process.cpuUsage(cpu);
      results[label] = { ...stats(s), cpu_ms: +((used.user + used.system) / 1000 / ITER).toFixed(1), rows };
    }
    return results;
  };
  const paths = values.paths.split(',');
  const answers = async () => Promise.all(Object.values(PANELS).map(async (b) => (await post(b(team))).body.data));
  let before: unknown;
  if (paths.includes('days')) {
    // No base for today: every panel reads the day rollups.
    await store.db.deleteFrom('usage_window_state').execute();
    before = await answers();
    console.log(`[${dialect}] day rollups (no base), ms per query over ${ITER} requests each:`);
    console.table(await measure());
  }
  if (paths.includes('windows')) {
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    const built = await buildWindows(store.db, workspaceId);
    const used = process.cpuUsage(cpu);
    console.log(
      `[${dialect}] base built as the daily job does: ${JSON.stringify(built)} in ` +
        `${(performance.now() - t0).toFixed(0)} ms (${((used.user + used.system) / 1000).toFixed(0)} ms CPU here)`,
    );
    if (before !== undefined) {
      const after = await answers();
      if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('the window path answers differently');
      console.log(`[${dialect}] every panel answers the same on both paths`);
    }
    console.log(`[${dialect}] trailing-window base, ms per query over ${ITER} requests each:`);
    console.table(await measure());
  }
  await app.close();
  await store.close();
}

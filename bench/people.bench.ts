// The people reads behind the dashboard's Adoption, Keys and user pages, at 10,000 users and 90
// days (deterministic), on SQLite and PostgreSQL, through the real app over loopback HTTP:
//   GET .../adoption                       (the seat figures: keys, sign-ins, activation, inactive)
//   GET .../adoption/seats                 (a page of seats by state and order, or 50 chosen ones)
//   GET .../users/:id/threads              (one heavy user's newest 50 threads, and a page deep in)
// The rollups come from the usage generator; thread facts are written here: 300 users with 60
// threads each and one with 3,000 (5 turns and 5 model requests per thread, a third of them
// title-generation helpers that the read must skip), 8,000 users with a key, 3,000 with a password.
// Run: node --import tsx bench/people.bench.ts [--dialect sqlite|postgres] [--iterations N] [--reuse]
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { configSchema } from '../src/config/schema.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import { newId } from '../src/core/ids.js';
import { weekOf } from '../src/core/time.js';
import type { Db, DialectName } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';
import { generateUsage } from './support/usage-generator.js';
import { prng, stats } from './support/prng.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string' },
    iterations: { type: 'string', default: '40' },
    reuse: { type: 'boolean', default: false },
  },
});
const ITER = Number(values.iterations);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const USERS = 10_000;
const DAY_MS = 86_400_000;

async function chunked<T>(db: Db, table: string, rows: T[]) {
  for (let i = 0; i < rows.length; i += 400)
    await db
      .insertInto(table as 'threads')
      .values(rows.slice(i, i + 400) as never)
      .execute();
}

async function facts(db: Db, ws: string, users: string[]): Promise<string> {
  const rnd = prng(11);
  const now = Date.now();
  const heavy = users[0];
  const threads: Record<string, unknown>[] = [];
  const turns: Record<string, unknown>[] = [];
  const requests: Record<string, unknown>[] = [];
  const weekSet: Record<string, unknown>[] = [];
  const owners = [heavy, ...users.slice(1, 301)];
  for (const user of owners) {
    const n = user === heavy ? 3000 : 60;
    for (let i = 0; i < n; i++) {
      const thread = newId();
      const at = now - Math.floor(rnd() * 89 * DAY_MS);
      const title = i % 3 === 2;
      threads.push({
        workspace_id: ws,
        thread_id: thread,
        user_id: user,
        client_id: 'CODEX_CLI',
        originator: 'codex_cli_rs',
        thread_kind: 'user',
        parent_thread_id: null,
        first_seen_at: at,
        model: 'gpt-5',
        approval_policy: null,
        sandbox_policy: null,
        host_name: `host-${user.slice(-4)}-${i % 2}`,
        source: 'otlp',
      });
      for (let k = 0; k < 5; k++) {
        const ts = at + k * 60_000;
        turns.push({
          workspace_id: ws,
          turn_key: `${thread}:${k}`,
          turn_id: null,
          thread_id: thread,
          user_id: user,
          client_id: 'CODEX_CLI',
          ts,
          model: 'gpt-5',
          prompt_length: 40,
          source: 'otlp',
          match_thread: thread,
        });
        requests.push({
          workspace_id: ws,
          request_key: `${thread}:r${k}`,
          response_id: null,
          turn_id: null,
          thread_id: thread,
          user_id: user,
          client_id: 'CODEX_CLI',
          ts: ts + 1000,
          model: 'gpt-5',
          input_tokens: 2000,
          cached_input_tokens: 500,
          output_tokens: 300,
          reasoning_tokens: 0,
          cost_nusd: 1000,
          credits_n: 25_000_000,
          pricing_version: 'bench',
          fallback_priced: 0,
          source: 'otlp',
        });
      }
      if (!title) weekSet.push({ workspace_id: ws, bucket: weekOf(at), thread_id: thread });
    }
  }
  await chunked(db, 'threads', threads);
  await chunked(db, 'turns', turns);
  await chunked(db, 'model_requests', requests);
  await chunked(db, 'thread_week_set', weekSet);
  const keys = users.slice(0, 8000).map((u, i) => ({
    id: newId(),
    workspace_id: ws,
    user_id: u,
    name: null,
    prefix: `stw_b${i}`,
    secret_hash: `bench-${i}`,
    scopes: 'ingest.write',
    shared_collector: 0,
    created_at: now,
    expires_at: null,
    revoked_at: i % 10 === 0 ? now : null,
    last_used_at: now,
    service: 0,
  }));
  await chunked(db, 'api_keys', keys);
  const creds = users.slice(5000, 8000).map((u) => ({ user_id: u, password_hash: 'x', updated_at: now }));
  await chunked(db, 'user_credentials', creds);
  return heavy;
}

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'people_10000', !values.reuse);
  const t0 = Date.now();
  let ws: string;
  const existing = values.reuse ? await store.db.selectFrom('workspaces').select('id').executeTakeFirst() : undefined;
  if (existing) ws = existing.id;
  else {
    const g = await generateUsage(store.db, { users: USERS, days: 90, turns: 1_000_000, seed: 42, dialect }, () => {});
    ws = g.workspaceId;
    const users = (await store.db.selectFrom('users').select('id').orderBy('email').execute()).map((u) => u.id);
    await facts(store.db, ws, users);
    console.log(`[${dialect}] generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (${g.rows} rollup rows)`);
  }
  // The generator writes the rollups only, not the active-user sets ingest keeps beside them: give
  // each person the activity span ingest would have left (first and last day with usage).
  const spans = await store.db.selectFrom('user_activity').select('user_id').limit(1).execute();
  if (spans.length === 0)
    await sql`insert into user_activity (workspace_id, user_id, first_day, last_day)
      select workspace_id, user_id, min(bucket), max(bucket) from usage_user_day group by workspace_id, user_id`.execute(
      store.db,
    );
  const heavy = (
    await store.db
      .selectFrom('threads')
      .select('user_id')
      .groupBy('user_id')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
  ).user_id;
  const { app } = await buildApp({ store, config: configSchema.parse({}) });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const { secret } = await createKey(
    store.db,
    { workspaceId: ws, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  );
  const get = async (path: string) => {
    const t = performance.now();
    const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${ws}${path}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    const body = await r.text();
    const ms = performance.now() - t;
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${body.slice(0, 200)}`);
    return { ms, body };
  };
  const now = Math.floor(Date.now() / 1000);
  const window = `start_time=${now - 90 * 86400}&end_time=${now + 60}`;
  const chosen = (await store.db.selectFrom('users').select('id').orderBy('id').limit(50).execute()).map((u) => u.id);
  const deep = JSON.parse((await get(`/users/${heavy}/threads?${window}&limit=500`)).body).next_page as string;
  const series: [string, string][] = [
    ['adoption figures (10,000 seats)', '/adoption'],
    ['adoption seats, first page of 500 by idle days', '/adoption/seats?limit=500'],
    ['adoption seats never active, first page of 500', '/adoption/seats?state=never_active&limit=500'],
    ['adoption seats, a page 5,000 deep by email', '/adoption/seats?sort=email&order=asc&limit=500&offset=5000'],
    ['adoption seats, 50 chosen (the keys page)', `/adoption/seats?user_id=${chosen.join(',')}`],
    ['threads, first page of 50', `/users/${heavy}/threads?${window}`],
    ['threads, a page 500 deep', `/users/${heavy}/threads?${window}&page=${deep}`],
  ];
  for (const [name, path] of series) {
    for (let i = 0; i < 3; i++) await get(path); // warm
    const samples: number[] = [];
    const cpu0 = process.cpuUsage();
    let bytes = 0;
    for (let i = 0; i < ITER; i++) {
      const r = await get(path);
      samples.push(r.ms);
      bytes = r.body.length;
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / ITER;
    console.log(
      `[${dialect}] ${name}: ${JSON.stringify(stats(samples))} ms, CPU ${cpuMs.toFixed(1)} ms/op, ${(bytes / 1024).toFixed(0)} KB`,
    );
  }
  await app.close();
  await store.close();
}

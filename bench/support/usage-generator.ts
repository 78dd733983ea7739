// Deterministic generator for the usage benchmark: a workspace of USERS people over DAYS days with
// TURNS turns in all (skewed: a few heavy users, many light ones). It computes what ingesting those
// turns leaves in the rollup tables and writes it through the same inserts ingest uses
// (rollupInserts + insertMany); pushing 10M turns (~30M facts) through HTTP ingest would take hours on 2 cores and
// measures ingest, which bench/ingest.bench.ts does separately.
import { sql } from 'kysely';
import { priceUsage } from '../../src/core/pricing.js';
import { dayOf, weekOfDay } from '../../src/core/time.js';
import { newId } from '../../src/core/ids.js';
import type { Db } from '../../src/platform/storage/database.js';
import { insertMany } from '../../src/platform/storage/bulk-insert.js';
import type { CounterRow, RollupTable } from '../../src/core/rollups.js';
import { activeUserInserts, rollupInserts } from '../../src/ingest/rollups.repository.js';
import { insertUser } from '../../src/platform/tenancy/users.repository.js';
import { insertWorkspace } from '../../src/platform/tenancy/workspaces.repository.js';
import { prng } from './prng.js';

const CLIENTS = ['CODEX_CLI', 'CODEX_SERVICE_EXEC', 'CODEX_IDE_VSCODE', 'CODEX_DESKTOP_APP'];
const MODELS = ['gpt-5.5', 'gpt-5', 'gpt-5-mini', 'gpt-5.2-codex'];

export interface GenSpec {
  users: number;
  days: number;
  turns: number;
  seed: number;
  dialect: 'sqlite' | 'postgres';
}

export async function generateUsage(
  db: Db,
  spec: GenSpec,
  log: (s: string) => void,
): Promise<{ workspaceId: string; totalTurns: number; rows: number }> {
  const rnd = prng(spec.seed);
  const workspaceId = newId();
  await insertWorkspace(db, { id: workspaceId, name: `bench-${spec.seed}`, created_at: Date.now(), settings: '{}' });
  const userIds: string[] = [];
  for (let i = 0; i < spec.users; i += 500) {
    await db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(spec.users, i + 500); j++) {
        const id = newId();
        userIds.push(id);
        await insertUser(trx, {
          id,
          workspace_id: workspaceId,
          email: `user${j}@bench.example`,
          name: null,
          role: 'member',
          github_login: null,
          created_at: Date.now(),
          removed_at: null,
          service: 0,
        });
      }
    });
  }
  // Skew: user weight ~ 1/(rank^0.8); activity probability between 20% and 95%.
  const weights = userIds.map((_, i) => 1 / Math.pow(i + 1, 0.8));
  const activity = userIds.map(() => 0.2 + rnd() * 0.75);
  const expected = weights.reduce((s, w, i) => s + w * activity[i] * spec.days, 0);
  const scale = spec.turns / expected;
  const today = dayOf(Date.now());
  const maps = new Map<RollupTable, Map<string, CounterRow>>();
  const add = (table: RollupTable, key: Record<string, string | number>, c: Record<string, number>) => {
    let m = maps.get(table);
    if (!m) maps.set(table, (m = new Map()));
    const id = Object.values(key).join('|');
    let row = m.get(id);
    if (!row)
      m.set(
        id,
        (row = {
          ...key,
          threads: 0,
          turns: 0,
          requests: 0,
          input_tokens: 0,
          cached_input_tokens: 0,
          output_tokens: 0,
          reasoning_tokens: 0,
          cost_nusd: 0,
          credits_n: 0,
        }),
      );
    for (const [k, v] of Object.entries(c)) row[k] = (row[k] as number) + v;
  };
  let totalTurns = 0;
  for (let u = 0; u < userIds.length; u++) {
    const primary = CLIENTS[Math.floor(rnd() * CLIENTS.length)];
    const secondary = CLIENTS[Math.floor(rnd() * CLIENTS.length)];
    const model = MODELS[Math.floor(rnd() * MODELS.length)];
    for (let d = 0; d < spec.days; d++) {
      if (rnd() > activity[u]) continue;
      const day = today - d;
      let turns = Math.max(1, Math.round(weights[u] * scale * (0.5 + rnd())));
      if (totalTurns + turns > spec.turns) turns = spec.turns - totalTurns;
      if (turns <= 0) continue;
      totalTurns += turns;
      const split = rnd() < 0.3 ? Math.floor(turns * rnd()) : 0;
      for (const [client, t, m] of [
        [primary, turns - split, model],
        [secondary, split, MODELS[(MODELS.indexOf(model) + 1) % MODELS.length]],
      ] as const) {
        if (t <= 0) continue;
        const requests = t * 2;
        const input = requests * (3000 + Math.floor(rnd() * 20000));
        const cached = Math.floor(input * (0.5 + rnd() * 0.4));
        const output = requests * (100 + Math.floor(rnd() * 900));
        const reasoning = Math.floor(output * 0.3);
        const priced = priceUsage(m, { input, cached, output, reasoning }, 25);
        const c = {
          turns: t,
          threads: Math.max(1, Math.round(t / 4)),
          requests,
          input_tokens: input,
          cached_input_tokens: cached,
          output_tokens: output,
          reasoning_tokens: reasoning,
          cost_nusd: priced.costNanoUsd,
          credits_n: priced.creditsNano,
        };
        const cm = { ...c, threads: 0 };
        const week = weekOfDay(day);
        add('usage_user_day', { workspace_id: workspaceId, bucket: day, user_id: userIds[u], client_id: client }, c);
        add('usage_user_week', { workspace_id: workspaceId, bucket: week, user_id: userIds[u], client_id: client }, c);
        add('usage_user_model_day', { workspace_id: workspaceId, bucket: day, user_id: userIds[u], model: m }, cm);
        add('usage_user_model_week', { workspace_id: workspaceId, bucket: week, user_id: userIds[u], model: m }, cm);
        add('usage_ws_day', { workspace_id: workspaceId, bucket: day, client_id: client }, c);
        add('usage_ws_week', { workspace_id: workspaceId, bucket: week, client_id: client }, c);
        add('usage_ws_model_day', { workspace_id: workspaceId, bucket: day, model: m }, cm);
        add('usage_ws_model_week', { workspace_id: workspaceId, bucket: week, model: m }, cm);
      }
    }
    if (totalTurns >= spec.turns) break;
  }
  // The skewed draw lands near the target; put the remainder on the heaviest user's latest day so the
  // data set has exactly spec.turns turns.
  if (totalTurns < spec.turns) {
    const rest = spec.turns - totalTurns;
    const day = today;
    for (const [table, key] of [
      ['usage_user_day', { workspace_id: workspaceId, bucket: day, user_id: userIds[0], client_id: CLIENTS[0] }],
      [
        'usage_user_week',
        { workspace_id: workspaceId, bucket: weekOfDay(day), user_id: userIds[0], client_id: CLIENTS[0] },
      ],
      ['usage_ws_day', { workspace_id: workspaceId, bucket: day, client_id: CLIENTS[0] }],
      ['usage_ws_week', { workspace_id: workspaceId, bucket: weekOfDay(day), client_id: CLIENTS[0] }],
    ] as const)
      add(table, key, { turns: rest });
    totalTurns = spec.turns;
  }
  let rows = 0;
  for (const [table, m] of maps) {
    const all = [...m.values()];
    for (let i = 0; i < all.length; i += 20_000) {
      await db
        .transaction()
        .execute((trx) => insertMany(trx, rollupInserts([{ table, rows: all.slice(i, i + 20_000) }])));
    }
    rows += all.length;
    log(`  ${table}: ${all.length} rows`);
  }
  // The active-user sets the ingest keeps beside the counters: a person with a turn in a bucket.
  const people = (table: RollupTable) =>
    [...(maps.get(table)?.values() ?? [])]
      .filter((r) => Number(r.turns) > 0)
      .map((r) => ({ workspace_id: r.workspace_id, bucket: r.bucket, user_id: r.user_id, client_id: r.client_id }));
  const [day, week] = [people('usage_user_day'), people('usage_user_week')];
  for (let i = 0; i < Math.max(day.length, week.length); i += 20_000)
    await db
      .transaction()
      .execute((trx) => insertMany(trx, activeUserInserts(day.slice(i, i + 20_000), week.slice(i, i + 20_000))));
  log(`  active_user_day_set: ${day.length} rows, active_user_week_set: ${week.length} rows`);
  // A live database has statistics from autovacuum/auto-analyze; a freshly bulk-loaded one does not,
  // and PostgreSQL then sorts 100k rows instead of walking the primary key (measured: 140 ms vs 5 ms).
  // PostgreSQL also needs its visibility map (VACUUM) for index-only scans, as autovacuum would set.
  if (spec.dialect === 'postgres') await sql`vacuum analyze`.execute(db);
  else await sql`analyze`.execute(db);
  return { workspaceId, totalTurns, rows };
}

// Usage API latency at scale: 10M turns, 5,000 users, 90 days (deterministic), on SQLite and
// PostgreSQL. Measures GET .../usage through the real app over loopback HTTP (auth, validation,
// queries, JSON, the socket). Not app.inject: light-my-request keeps every response it makes
// reachable (the heap grew by the 1.5 MB of each 1,000-row page, to ~900 MB by the last series),
// and the old-generation collections that caused were most of the per-user pages' p95.
// Run: node --import tsx bench/usage.bench.ts [--turns N] [--dialect sqlite|postgres] [--reuse]
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';
import { generateUsage } from './support/usage-generator.js';
import { stats } from './support/prng.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '10000000' },
    users: { type: 'string', default: '5000' },
    dialect: { type: 'string' },
    iterations: { type: 'string', default: '200' },
    reuse: { type: 'boolean', default: false },
  },
});
const TURNS = Number(values.turns);
const USERS = Number(values.users);
const ITER = Number(values.iterations);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];

for (const dialect of dialects) {
  const name = `usage_${TURNS}_${USERS}`;
  const store = await benchStore(dialect, name, !values.reuse);
  let workspaceId: string;
  const t0 = Date.now();
  const existing = values.reuse ? await store.db.selectFrom('workspaces').select('id').executeTakeFirst() : undefined;
  if (existing) {
    workspaceId = existing.id;
    console.log(`[${dialect}] reusing generated data`);
  } else {
    console.log(`[${dialect}] generating ${TURNS} turns, ${USERS} users, 90 days ...`);
    const g = await generateUsage(store.db, { users: USERS, days: 90, turns: TURNS, seed: 42, dialect }, console.log);
    workspaceId = g.workspaceId;
    console.log(
      `[${dialect}] generated ${g.totalTurns} turns into ${g.rows} rollup rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const config = configSchema.parse({});
  const { app } = await buildApp({ store, config });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const { secret } = await createKey(
    store.db,
    { workspaceId, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  );
  const DAY = 86_400;
  const now = Math.floor(Date.now() / 1000);
  const start = (Math.floor(now / DAY) - 89) * DAY;
  // Timed until the last byte of the body has arrived; parsed afterwards, outside the timing.
  const get = async (q: string) => {
    const t = performance.now();
    const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${workspaceId}/usage?${q}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    const text = await r.text();
    const ms = performance.now() - t;
    if (r.status !== 200) throw new Error(`${q}: ${r.status} ${text}`);
    return { ms, body: JSON.parse(text) };
  };
  // Sanity: the workspace rows add up to the generated turns.
  const all = await get(`group=workspace&start_time=${start}&limit=1000`);
  const sumTurns = all.body.data.reduce((s: number, r: any) => s + r.totals.turns, 0);
  console.log(`[${dialect}] workspace rows: ${all.body.data.length}, turns in API: ${sumTurns}`);
  // Collect cursors spread over the whole 90 days, so pages are measured everywhere, not only page 1.
  const cursors: (string | null)[] = [null];
  let page = await get(`start_time=${start}&limit=1000`);
  while (page.body.has_more && cursors.length < 400) {
    cursors.push(page.body.next_page);
    page = await get(`start_time=${start}&limit=1000&page=${page.body.next_page}`);
  }
  console.log(
    `[${dialect}] per-user pages of 1,000 rows over 90 days: ${cursors.length}${page.body.has_more ? '+' : ''}`,
  );
  for (let i = 0; i < 20; i++) await get(`group=workspace&start_time=${start}`); // warm-up
  const results: Record<string, ReturnType<typeof stats>> = {};
  const measure = async (label: string, q: (i: number) => string) => {
    const s: number[] = [];
    for (let i = 0; i < ITER; i++) s.push((await get(q(i))).ms);
    results[label] = stats(s);
  };
  await measure('workspace, day, 90 d', () => `group=workspace&start_time=${start}`);
  await measure('workspace, week, 90 d', () => `group=workspace&group_by=week&start_time=${start}`);
  await measure(
    'per-user page 1,000 rows (any page)',
    (i) =>
      `start_time=${start}&limit=1000${cursors[(i * 7919) % cursors.length] ? `&page=${cursors[(i * 7919) % cursors.length]}` : ''}`,
  );
  await measure('per-user week page 1,000 rows', () => `start_time=${start}&limit=1000&group_by=week`);
  console.log(`[${dialect}] latency in ms over ${ITER} requests each:`);
  console.table(results);
  await app.close();
  await store.close();
}

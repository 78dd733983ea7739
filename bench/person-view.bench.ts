// Who looked at whom: the cost a per-user usage page pays for its person_data.viewed record (one
// AUDIT_LOG append in its own transaction), next to the page read it follows. SQLite file store with
// 1,000 users x 7 days of rollups. Run: node --import tsx bench/person-view.bench.ts [runs]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { usagePage, UserEmails } from '../src/analytics/usage.service.js';
import { recordPersonView } from '../src/compliance/audit.service.js';
import { migrateToLatest } from '../src/migrations/migrate.js';
import { openStore } from '../src/platform/storage/database.js';

const RUNS = Number(process.argv[2] ?? 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-view-'));
const store = openStore({ dataDir: dir });
await migrateToLatest(store.db);
const { workspace } = await ensureBootstrapped(store.db);
const ws = workspace.id;
const day = Math.floor(Date.now() / 86_400_000) - 3;
const zero = { threads: 1, turns: 3, requests: 5, input_tokens: 900, cached_input_tokens: 100, output_tokens: 50 };
const more = { reasoning_tokens: 7, cost_nusd: 1000, credits_n: 25000 };
const users = Array.from({ length: 1000 }, (_, i) => `u${String(i).padStart(4, '0')}`);
for (let d = 0; d < 7; d++) {
  const rows = users.map((u) => ({
    workspace_id: ws,
    bucket: day - d,
    user_id: u,
    client_id: 'CODEX_CLI',
    ...zero,
    ...more,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await store.db
      .insertInto('usage_user_day')
      .values(rows.slice(i, i + 200))
      .execute();
}
const q = { grain: 'day' as const, startBucket: day - 6, endBucket: day + 1, limit: 1000, group: 'user', cursor: null };
const opts = { showEmails: false, emails: new UserEmails(), team: { minTeamSize: 5, seesSmallTeams: true } };
const read: number[] = [];
const view: number[] = [];
for (let i = 0; i < RUNS + 10; i++) {
  const t0 = performance.now();
  const page = await usagePage(store.db, ws, q, opts);
  const t1 = performance.now();
  const ids = page.data.map((r) => r.user_id as string);
  await store.db
    .transaction()
    .execute((trx) => recordPersonView(trx, ws, { type: 'key', id: 'k' }, 'analytics.usage', ids));
  const t2 = performance.now();
  if (i >= 10) {
    read.push(t1 - t0);
    view.push(t2 - t1);
  }
}
const p = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))]!.toFixed(2);
console.log(`page read (1,000 rows): p50 ${p(read, 0.5)} ms, p90 ${p(read, 0.9)} ms`);
console.log(`person_data.viewed record: p50 ${p(view, 0.5)} ms, p90 ${p(view, 0.9)} ms (${RUNS} runs)`);
await store.close();
fs.rmSync(dir, { recursive: true, force: true });

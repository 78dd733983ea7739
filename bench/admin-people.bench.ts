// What the Keys and Admin pages ask the server for at 10,000 users and 1,200 ingest tokens, on
// SQLite or PostgreSQL, through the app (inject: no network): the whole user list (what both pages
// loaded before: the Keys page to name each token's holder and fill a select of everyone, the Admin
// page to page and filter it in the browser), against what they ask now: a page of 100 by email, a
// search of 8 as an email is typed, and the key list naming each holder itself.
// Run: node --import tsx bench/admin-people.bench.ts [--dialect sqlite|postgres] [--iterations N]
import { parseArgs } from 'node:util';
import { makeApp } from '../test/support/app.js';

const { values } = parseArgs({
  options: { dialect: { type: 'string', default: 'sqlite' }, iterations: { type: 'string', default: '20' } },
});
const dialect = values.dialect as 'sqlite' | 'postgres';
const n = Number(values.iterations);
const t = await makeApp(dialect);
const now = Date.now();
const users = Array.from({ length: 10_000 }, (_, i) => ({
  id: crypto.randomUUID(),
  workspace_id: t.workspaceId,
  email: `dev${String(i).padStart(5, '0')}@demo.example`,
  name: `Developer ${i}`,
  role: 'member',
  github_login: null,
  created_at: now,
  removed_at: null,
  service: 0,
}));
for (let i = 0; i < users.length; i += 500)
  await t.store.db
    .insertInto('users')
    .values(users.slice(i, i + 500))
    .execute();
for (let i = 0; i < 1_200; i++) await t.key(['ingest.write'], users[i * 8]!.email);

const W = `/v1/admin/workspaces/${t.workspaceId}`;
const cases: [string, string][] = [
  ['every user (before: Keys and Admin pages)', `${W}/users`],
  ['a page of 100 by email (Admin, now)', `${W}/users?limit=100`],
  ['a page deep in (offset 9,900)', `${W}/users?limit=100&offset=9900`],
  ['a search of 8 people as an email is typed (Keys, now)', `${W}/users?search=dev0123&limit=8&people=true`],
  ['a search by name, many matches, first 100', `${W}/users?search=developer%201&limit=100`],
  ['the key list with holders (Keys)', `${W}/keys`],
];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
console.log(`${dialect}: 10,000 users, 1,200 keys; ${n} requests each after 3 warm-ups`);
for (const [name, url] of cases) {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n + 3; i++) {
    const t0 = performance.now();
    const r = await t.app.inject({ url, headers: { authorization: `Bearer ${t.ownerKey}` } });
    const dt = performance.now() - t0;
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    bytes = r.rawPayload.length;
    if (i >= 3) ms.push(dt);
  }
  console.log(
    `${name.padEnd(56)} p50 ${pct(ms, 0.5).toFixed(1).padStart(7)} ms  p95 ${pct(ms, 0.95).toFixed(1).padStart(7)} ms  ${(bytes / 1024).toFixed(0).padStart(6)} KiB`,
  );
}
await t.close();

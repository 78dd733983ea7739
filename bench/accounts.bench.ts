// Sign-in and authorization costs. Run: node --import tsx bench/accounts.bench.ts [runs] [sqlite|postgres]
// 1. one argon2id verification with the parameters Steward stores (accounts/password.service.ts), the
//    work every sign-in (and every unknown-email attempt) does;
// 2. POST /auth/sign-in end to end (app.inject on a real store: throttle read, verification, session
//    row and AUTH_LOG record in one transaction);
// 3. the authorization decision alone (core/authz.ts table lookup, role reach, CSRF comparison);
// 4. the whole preValidation hook per request for a session cookie and for a bearer key (one indexed
//    read each), called directly so nothing else of the request is timed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setPassword, startSession } from '../src/accounts/index.js';
import { hashPassword, verifyPassword } from '../src/accounts/password.service.js';
import { buildApp } from '../src/app/app.js';
import { createKey, addUser, ensureBootstrapped } from '../src/access/index.js';
import { configSchema } from '../src/config/schema.js';
import { roleReach } from '../src/core/authz.js';
import { requireAccess, routeAccess } from '../src/platform/http/auth.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';

const RUNS = Number(process.argv[2] ?? 20);
const DIALECT = (process.argv[3] ?? 'sqlite') as DialectName;
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ms = (xs: number[]) =>
  `p50 ${q(xs, 0.5).toFixed(1)} ms, p90 ${q(xs, 0.9).toFixed(1)} ms, max ${q(xs, 1).toFixed(1)} ms`;
const us = (xs: number[]) => `p50 ${(q(xs, 0.5) * 1000).toFixed(1)} µs, p99 ${(q(xs, 0.99) * 1000).toFixed(1)} µs`;

const stored = await hashPassword('correct horse battery staple');
await verifyPassword(stored, 'warm up the pages');
const verify: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await verifyPassword(stored, i % 2 ? 'correct horse battery staple' : 'a wrong password here');
  verify.push(performance.now() - t0);
}
console.log(`argon2id ${stored.split('$')[3]}: verify ${ms(verify)} (${RUNS} runs)`);

const store = await benchStore(DIALECT, 'accounts');
const config = configSchema.parse({ accounts: { account_free_failures: 1_000_000, address_free_failures: 1_000_000 } });
const boot = await ensureBootstrapped(store.db);
const ws = boot.workspace.id;
const user = await addUser(
  store.db,
  { workspaceId: ws, email: 'ada@example.com', role: 'analytics_viewer' },
  { type: 'system', id: null },
);
await setPassword(store.db, ws, 'ada@example.com', 'a long enough pass phrase', { type: 'system', id: null });
const { app, ctx } = await buildApp({ store, config });
await app.ready();
const signIn: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'ada@example.com', password: 'a long enough pass phrase' }),
  });
  signIn.push(performance.now() - t0);
  if (r.statusCode !== 200) throw new Error(r.body);
}
console.log(`[${DIALECT}] POST /auth/sign-in: ${ms(signIn)} (${RUNS} runs)`);

// 3. The decision alone: what every request pays beyond reading its credential.
const N = 1_000_000;
const usage = '/v1/analytics/codex/workspaces/:workspace_id/usage';
let allowed = 0;
const t0 = performance.now();
for (let i = 0; i < N; i++)
  if (roleReach(routeAccess(i & 1 ? 'GET' : 'POST', i & 1 ? usage : '/auth/sign-out'), 'analytics_viewer')) allowed++;
const decisionNs = ((performance.now() - t0) * 1e6) / N;
console.log(
  `authorization decision (table lookup + role reach): ${decisionNs.toFixed(0)} ns per request (${N} runs, ${allowed} allowed)`,
);

// 4. The whole hook, per request.
const limits = config.accounts;
const s = await startSession(store.db, { id: user.id, workspaceId: ws }, { ip: null, userAgent: null }, limits);
const key = (
  await createKey(
    store.db,
    { workspaceId: ws, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  )
).secret;
const hook = requireAccess(ctx);
const fake = (headers: Record<string, string>) =>
  ({
    method: 'GET',
    routeOptions: { url: usage },
    url: usage,
    params: { workspace_id: ws },
    headers,
    ip: '127.0.0.1',
  }) as unknown as FastifyRequest;
for (const [name, headers] of [
  ['session cookie', { cookie: `steward_session=${s.secret}` }],
  ['bearer key', { authorization: `Bearer ${key}` }],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < RUNS * 100; i++) {
    const req = fake(headers);
    const t1 = performance.now();
    await hook.call(app, req, {} as FastifyReply);
    times.push(performance.now() - t1);
    if (!req.principal) throw new Error('not authorized');
  }
  console.log(
    `[${DIALECT}] requireAccess with a ${name}: ${us(times)} (${RUNS * 100} requests, one indexed read each)`,
  );
}
await app.close();
await store.close();

// The dashboard's first render, measured in Debian's Chromium. Run (after `npm run build`):
//   node --import tsx bench/dashboard.bench.ts [runs] [sqlite|postgres]
// A real server on a real store with the OTLP fixtures ingested for two users; a signed-in owner
// loads `/` again and again (cache on, as a returning user has it), and each run reports the time
// from navigation start until the tiles show the API's figures, with the JS and CSS sizes fetched.
// This is a small workspace: bench/dashboard-demo.bench.ts measures `steward demo`'s 10,000 users.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { setPassword } from '../src/accounts/index.js';
import { addUser, createKey, ensureBootstrapped } from '../src/access/index.js';
import { buildApp } from '../src/app/app.js';
import { configSchema } from '../src/config/schema.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { loadOtlp, shiftTimes } from '../test/support/otlp.js';
import { benchStore } from './support/stores.js';

const RUNS = Number(process.argv[2] ?? 10);
const DIALECT = (process.argv[3] ?? 'sqlite') as DialectName;
const WEB = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const store = await benchStore(DIALECT, 'dashboard');
const boot = await ensureBootstrapped(store.db);
const ws = boot.workspace.id;
const actor = { type: 'cli' as const, id: 'bench' };
const { app } = await buildApp({ store, config: configSchema.parse({}), webRoot: WEB });
const origin = await app.listen({ host: '127.0.0.1', port: 0 });
const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
for (const [i, email] of ['owner@example.com', 'dev@example.com'].entries()) {
  await addUser(store.db, { workspaceId: ws, email, role: i ? 'member' : 'owner' }, actor);
  const key = (await createKey(store.db, { workspaceId: ws, scopes: ['ingest.write'], userEmail: email }, actor))
    .secret;
  for (const [j, f] of ['exec-json', 'tui', 'appserver-vscode'].entries()) {
    const body = JSON.stringify(shiftTimes(loadOtlp(`${f}.otel-logs.json`), day - (i + 2 * j) * 86_400_000));
    const r = await fetch(`${origin}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
    });
    if (r.status !== 200) throw new Error(await r.text());
  }
}
await setPassword(store.db, ws, 'owner@example.com', 'a long enough pass phrase', actor);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${origin}/sign-in`);
await page.getByLabel('Email').fill('owner@example.com');
await page.getByLabel('Password').fill('a long enough pass phrase');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${origin}/`);
const rendered = () =>
  page.waitForFunction(() => {
    const v = document.querySelector('[data-testid=tile-threads] .tile-value')?.textContent;
    return v && v !== '–' && document.querySelector('.chart canvas') ? performance.now() : false;
  });
await rendered();
const cold = await page.evaluate(() =>
  performance
    .getEntriesByType('resource')
    .filter((e) => /\/assets\//.test(e.name))
    .map((e) => `${e.name.split('/').pop()} ${(e as PerformanceResourceTiming).encodedBodySize} B on the wire`),
);
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  await page.reload();
  times.push(Number(await (await rendered()).jsonValue()));
}
console.log(`assets (brotli): ${cold.join(', ')}`);
console.log(
  `${DIALECT}: first render (navigation -> tiles and chart painted) p50 ${q(times, 0.5).toFixed(0)} ms, ` +
    `p90 ${q(times, 0.9).toFixed(0)} ms, max ${q(times, 1).toFixed(0)} ms (${RUNS} runs)`,
);
await browser.close();
await app.close();
await store.close();

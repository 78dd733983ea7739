// The dashboard at `steward demo`'s scale (issue 14's Speed section), measured in Debian's Chromium.
// Run (after `npm run build`):
//   node --import tsx bench/dashboard-demo.bench.ts [--runs 10] [--dialect sqlite|postgres] [--reuse]
//     [--users 10000] [--days 90] [--name demo]
// `--reuse` keeps the demo workspace generated under bench/out by an earlier run (a 10,000 × 90 run
// takes minutes). `steward serve` runs on it as its own process; a signed-in owner then opens the
// overview again and again (cache on, as a returning user has it), performs each interaction, and
// opens the user page and every other page. Each figure runs from navigation start (or the input
// event) to the first frame drawn after the last API answer, when no panel shows "Loading…"
// (support/paint-timing.ts). Per step it names the API call that took longest (browser timings),
// and the server's CPU per run. The first view's JS and CSS are sized gzipped from dist/web.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium, type Page, type Request } from 'playwright-core';
import type { DialectName } from '../src/platform/storage/database.js';
import { demoStore, serve, setOwnerPassword } from './support/demo-store.js';
import { type Action, INSTRUMENT } from './support/paint-timing.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    dialect: { type: 'string', default: 'sqlite' },
    reuse: { type: 'boolean', default: false },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '90' },
    name: { type: 'string', default: 'demo' },
  },
});
const RUNS = Number(args.runs);
const DIALECT = args.dialect as DialectName;
const WEB = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');
const PASSWORD = 'a long enough pass phrase';
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)]!;
const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
const uptime = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
// utime + stime of a process, in ms (clock ticks of 10 ms).
const cpu = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

console.log(`load average at start: ${uptime()}`);
const place = { dialect: DIALECT, name: args.name! };
const demo = await demoStore(place, args.reuse!, Number(args.users), Number(args.days));
await setOwnerPassword(place, demo, PASSWORD);
const server = await serve(place);
const origin = server.url;

// API calls per step: a name for each (the query model's dimensions and filters), its time to the
// last byte and to the first (the server's share, less queueing behind the browser's 6 connections).
interface Call {
  step: string;
  name: string;
  total: number;
  ttfb: number;
  body?: string;
}
const calls: Call[] = [];
let step = 'sign-in';
function callName(r: Request): string {
  const u = new URL(r.url());
  if (u.pathname.endsWith('/query')) {
    const b = JSON.parse(r.postData() ?? '{}');
    const f = Object.keys(b.filters ?? {});
    return `query by ${(b.dimensions ?? []).join('+') || 'total'}${f.length ? ` where ${f.join('+')}` : ''}`;
  }
  const p = u.pathname.replace(/\/[^/]*\d[^/]*(?=\/|$)/g, (s) => (s.length > 12 ? '/:id' : s));
  return `${r.method()} ${p}${u.search ? `?${[...u.searchParams.keys()].join('&')}` : ''}`;
}
function track(page: Page) {
  page.on('requestfinished', (r) => {
    if (r.resourceType() !== 'fetch') return;
    const t = r.timing();
    const body = r.url().endsWith('/query') ? (r.postData() ?? undefined) : undefined;
    calls.push({ step, name: callName(r), total: t.responseEnd, ttfb: t.responseStart - t.requestStart, body });
  });
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.addInitScript(INSTRUMENT);
const page = await context.newPage();
track(page);
await page.goto(`${origin}/sign-in`);
await page.getByLabel('Email').fill(demo.owner);
await page.getByLabel('Password').fill(PASSWORD);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${origin}/`);

const settledAt = () =>
  page.evaluate(() => (window as never as { __settled: (n: number) => Promise<number> }).__settled(0));
const act = (a: Action) =>
  page.evaluate((x) => (window as never as { __act: (a: Action) => Promise<number> }).__act(x), a);

// The first view, cold: what it fetched, gzipped as serve sends it (the .gz beside each file).
step = 'overview (cold)';
const cold = await settledAt();
const assetsOf = () =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname)
      .filter((p) => /^\/assets\/.*\.(js|css)$/.test(p)),
  );
const gz = (asset: string) => {
  const file = path.join(WEB, asset);
  return fs.existsSync(`${file}.gz`)
    ? fs.statSync(`${file}.gz`).size
    : gzipSync(fs.readFileSync(file), { level: 9 }).length;
};
const firstView = await assetsOf();
const firstBytes = firstView.reduce((n, a) => n + gz(a), 0);

interface Result {
  step: string;
  times: number[];
  cpuMs: number;
}
const results: Result[] = [];
async function measure(name: string, runs: number, once: (i: number) => Promise<number>) {
  step = name;
  const c0 = cpu(server.pid);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once(i));
  results.push({ step: name, times, cpuMs: (cpu(server.pid) - c0) / runs });
  console.error(`${name}: p50 ${ms(q(times, 0.5))}, p95 ${ms(q(times, 0.95))}`);
}
const open = (url: string) => async () => {
  await page.goto(url);
  return settledAt();
};

await measure('overview first render', RUNS, open(`${origin}/`));
await measure('buckets daily ↔ weekly', RUNS, (i) =>
  act({ kind: 'radio', name: 'Buckets', value: i % 2 ? 'day' : 'week' }),
);
const ranges = ['7', '90', '30'];
await measure('range 30 → 7 → 90 → 30 days', RUNS, (i) => act({ kind: 'radio', name: 'Range', value: ranges[i % 3]! }));
await measure('ranking sort (Turns ↔ Credits)', RUNS, (i) => act({ kind: 'sort', text: i % 2 ? 'Credits' : 'Turns' }));
await measure('ranking filter by client (and back)', RUNS, (i) =>
  act({ kind: 'select', label: 'Client', index: i % 2 ? 0 : 1 }),
);
await measure('ranking filter by team (and back)', RUNS, (i) =>
  act({ kind: 'select', label: 'Team', index: i % 2 ? 0 : 1 }),
);
// One page of 500 rows holds a small workspace's whole ranking.
const paged = await page.evaluate(() =>
  [...document.querySelectorAll('.pager button')].some(
    (b) => b.textContent === 'Next' && !(b as HTMLButtonElement).disabled,
  ),
);
if (paged)
  await measure('ranking next page (and previous)', RUNS, (i) =>
    act({ kind: 'button', text: i % 2 ? 'Previous' : 'Next' }),
  );
else console.error('ranking next page: skipped (one page of users)');

// Which of the overview's queries costs the server most: each one alone, one after another (in the
// page they queue behind each other on the server, so the last answered looks the slowest).
const alone: [string, number][] = [];
step = 'each query alone';
const overviewBodies = new Map<string, string>();
for (const c of calls) if (c.step === 'overview first render' && c.body) overviewBodies.set(c.body, c.name);
for (const [body, name] of overviewBodies) {
  const t = await page.evaluate(async (b) => {
    const s = await (await fetch('/auth/session')).json();
    const ts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await fetch(`/v1/analytics/codex/workspaces/${s.workspace_id}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token },
        body: b,
      });
      await r.arrayBuffer();
      ts.push(performance.now() - t0);
    }
    return ts.sort((x, y) => x - y)[2]!;
  }, body);
  const b = JSON.parse(body);
  alone.push([`${name} (${b.metrics.join(', ')}; ${b.date_range.join('..')})`, t]);
}

// The user page of the workspace's heaviest user (most credits over 30 days).
const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
const top = await page.evaluate(
  async (range) => {
    const s = await (await fetch('/auth/session')).json();
    const r = await fetch(`/v1/analytics/codex/workspaces/${s.workspace_id}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token },
      body: JSON.stringify({
        metrics: ['credits'],
        dimensions: ['user'],
        date_range: range,
        order_by: [['credits', 'desc']],
        limit: 1,
      }),
    });
    const body = await r.json();
    if (!body.data?.length) throw new Error(JSON.stringify(body));
    return body.data[0].user_id as string;
  },
  [day(29), day(0)],
);
await measure('user page (heaviest user)', RUNS, open(`${origin}/users/${encodeURIComponent(top)}`));
const pageAssets: Record<string, string[]> = {};
for (const p of ['/adoption', '/teams', '/code-review', '/tools', '/compliance', '/keys', '/admin']) {
  await measure(`${p} first render`, RUNS, open(`${origin}${p}`));
  pageAssets[p] = (await assetsOf()).filter((a) => !firstView.includes(a));
}
await browser.close();
await server.stop();

const median = (xs: number[]) => q(xs, 0.5);
console.log(
  `\n${DIALECT}, ${demo.users} users, ${demo.events} events; ${RUNS} runs each; load average at end: ${uptime()}`,
);
console.log(
  `first view (overview, cold ${ms(cold)}): ${firstView.map((a) => `${a} ${(gz(a) / 1024).toFixed(1)} KB`).join(', ')}`,
);
console.log(`JS + CSS of the first view: ${(firstBytes / 1024).toFixed(1)} KB gzipped`);
for (const [p, as] of Object.entries(pageAssets))
  console.log(`  ${p} loads ${(as.reduce((n, a) => n + gz(a), 0) / 1024).toFixed(1)} KB gzipped more`);
console.log('\neach overview query alone (median of 5, one at a time):');
for (const [n, t] of alone.sort((a, b) => b[1] - a[1])) console.log(`  ${ms(t)}  ${n}`);
console.log('\n| step | p50 | p95 | server CPU per run | slowest API call (p50 to last byte / to first byte) |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  const byName = new Map<string, Call[]>();
  for (const c of calls.filter((c) => c.step === r.step)) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const ranked = [...byName].map(([n, cs]) => ({
    n,
    total: median(cs.map((c) => c.total)),
    ttfb: median(cs.map((c) => c.ttfb)),
    per: cs.length / r.times.length,
  }));
  ranked.sort((a, b) => b.total - a.total);
  const s = ranked[0];
  const slowest = s
    ? `${s.n}: ${ms(s.total)} / ${ms(s.ttfb)}${s.per > 1.01 ? ` (×${s.per.toFixed(1)} per run)` : ''}`
    : '–';
  const count = [...byName.values()].reduce((n, cs) => n + cs.length, 0) / r.times.length;
  console.log(
    `| ${r.step} | ${ms(q(r.times, 0.5))} | ${ms(q(r.times, 0.95))} | ${ms(r.cpuMs)} | ${slowest}; ${count.toFixed(1)} calls per run |`,
  );
}

// Where the user page's time goes: the page of the demo workspace's heaviest user (most credits
// over 30 days) opened again and again in Debian's Chromium, as bench/dashboard-demo.bench.ts
// opens it, and for each run every request from navigation start (browser resource timings: start,
// end, time to first byte) and the moment it settled (support/paint-timing.ts).
// Run (after `npm run build`, on the demo store bench/dashboard-demo.bench.ts keeps):
//   node --import tsx bench/user-page-waterfall.bench.ts [--runs 5] [--dialect sqlite|postgres] [--name demo]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { DialectName } from '../src/platform/storage/database.js';
import { demoStore, serve, setOwnerPassword } from './support/demo-store.js';
import { INSTRUMENT } from './support/paint-timing.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    dialect: { type: 'string', default: 'sqlite' },
    name: { type: 'string', default: 'demo' },
  },
});
const PASSWORD = 'a long enough pass phrase';
const place = { dialect: args.dialect as DialectName, name: args.name! };
const demo = await demoStore(place, true, 10_000, 90);
await setOwnerPassword(place, demo, PASSWORD);
const server = await serve(place);
const origin = server.url;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.addInitScript(INSTRUMENT);
const page = await context.newPage();
await page.goto(`${origin}/sign-in`);
await page.getByLabel('Email').fill(demo.owner);
await page.getByLabel('Password').fill(PASSWORD);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${origin}/`);
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
    return (await r.json()).data[0].user_id as string;
  },
  [day(29), day(0)],
);
console.log(`load average at start: ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`);
for (let run = 0; run < Number(args.runs); run++) {
  await page.goto(`${origin}/users/${encodeURIComponent(top)}`);
  const settled = await page.evaluate(() =>
    (window as never as { __settled: (n: number) => Promise<number> }).__settled(0),
  );
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      html: Math.round(nav.responseEnd),
      dom: Math.round(nav.domContentLoadedEventEnd),
      res: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => {
        const u = new URL(e.name);
        return {
          name: u.pathname.replace(/\/[^/]*\d[^/]*(?=\/|$)/g, (s) => (s.length > 12 ? '/:id' : s)),
          start: Math.round(e.startTime),
          end: Math.round(e.responseEnd),
          server: Math.round(e.responseStart - e.requestStart),
        };
      }),
    };
  });
  console.log(`run ${run + 1}: settled ${Math.round(settled)} ms (HTML ${t.html} ms, DOMContentLoaded ${t.dom} ms)`);
  for (const r of t.res)
    console.log(
      `  ${String(r.start).padStart(5)} → ${String(r.end).padStart(5)} ms (first byte after ${r.server} ms) ${r.name}`,
    );
}
// One more, under the CPU profiler: the page's own functions by self time.
if (process.env.PROFILE) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(`${origin}/users/${encodeURIComponent(top)}`);
  await page.evaluate(() => (window as never as { __settled: (n: number) => Promise<number> }).__settled(0));
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: any };
  const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id: number, i: number) => {
    const f = (byId.get(id) as any).callFrame;
    const k = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`${v.toFixed(1).padStart(7)} ms ${k}`);
}
await browser.close();
await server.stop();

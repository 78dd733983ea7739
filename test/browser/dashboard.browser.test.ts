// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real
// server and store: an owner signs in and reads the overview built from fixture sessions ingested
// here through POST /v1/logs, sorts and filters the users ranking; a member signs in and sees only
// their own usage. Every figure read on screen is checked against the Analytics API, asked
// separately with the owner's key: the usage endpoint (which the page never calls) for the tiles,
// the clients and the ranking's figures, the query endpoint for what only it has (models by their
// own names, surfaces, streaks). Screenshots go to test-results/ (gitignored).
// Needs `npm run build` (dist/web) and /usr/bin/chromium (`apt-get install -y chromium`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { makeApp, type TestApp } from '../support/app.js';
import { PASSWORD, userWithPassword } from '../support/accounts.js';
import { loadOtlp, shiftTimes } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'dist', 'web');
const SHOTS = path.join(ROOT, 'test-results', 'dashboard');
const CHROMIUM = '/usr/bin/chromium';
const DAY = 86_400;
// The page's window: the last 30 whole UTC days, today included; the previous 30 before it.
const end = (Math.floor(Date.now() / 1000 / DAY) + 1) * DAY;
const start = end - 30 * DAY;

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'always' });

interface Figures {
  activeUsers: number;
  threads: number;
  turns: number;
  credits: number;
  usd: number;
  tokens: number;
}

// One browser for every dialect: launching Chromium is the slowest step here.
let browser: Browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(() => browser?.close());

for (const dialect of DIALECTS) {
  describe(`dashboard in the browser (${dialect})`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let origin: string;
    let devId: string;
    const api = async (q: Record<string, string | number>) => {
      const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
      const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${t.workspaceId}/usage?${qs}`, {
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(r.status, 200);
      return (await r.json()).data as any[];
    };
    const queryApi = async (body: object) => {
      const r = await fetch(`${origin}/v1/analytics/codex/workspaces/${t.workspaceId}/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 200);
      return (await r.json()).data as any[];
    };
    const isoDay = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
    const range = [isoDay(start), isoDay(end - DAY)];
    const views = async () =>
      (await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute())
        .map((c) => JSON.parse(c.content))
        .filter((c) => c.action === 'person_data.viewed');
    const rankingRows = async (page: Page) =>
      page
        .locator('[data-testid=ranking] tbody tr:not([aria-hidden])')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim() ?? '')));
    // The API's own figures for a window: workspace rows for the sums, user rows for who was active.
    const truth = async (from: number, to: number, user?: string): Promise<Figures> => {
      const users = (await api({ start_time: from, end_time: to, group: 'user', limit: 30000 })).filter(
        (r) => !user || r.user_id === user,
      );
      const rows = user ? users : await api({ start_time: from, end_time: to, group: 'workspace' });
      const sum = (k: string) => rows.reduce((a, r) => a + r.totals[k], 0);
      return {
        activeUsers: new Set(users.map((r) => r.user_id)).size,
        threads: sum('threads'),
        turns: sum('turns'),
        credits: sum('credits'),
        usd: sum('cost_usd'),
        tokens: sum('text_total_tokens'),
      };
    };
    const ingest = async (fixture: string, email: string, at: number) => {
      const key = await t.key(['ingest.write'], email);
      const r = await fetch(`${origin}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(shiftTimes(loadOtlp(`${fixture}.otel-logs.json`), at * 1000)),
      });
      assert.equal(r.status, 200, await r.text());
    };
    const signIn = async (page: Page, email: string) => {
      await page.goto(`${origin}/`);
      await page.waitForURL(`${origin}/sign-in`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin}/`);
      await page.waitForFunction(
        () => document.querySelector('[data-testid=tile-threads] .tile-value')?.textContent !== '–',
      );
    };
    // The tiles are named by the query model's metrics.
    const TILE: Record<keyof Figures, string> = {
      activeUsers: 'active_users',
      threads: 'threads',
      turns: 'turns',
      credits: 'credits',
      usd: 'cost_usd',
      tokens: 'text_total_tokens',
    };
    const onScreen = async (page: Page, key: keyof Figures) =>
      (await page.locator(`[data-testid=tile-${TILE[key]}] .tile-value`).textContent())?.trim();
    const deltaOnScreen = async (page: Page, key: keyof Figures) =>
      (await page.locator(`[data-testid=tile-${TILE[key]}] .delta`).textContent())?.trim();
    const expectTiles = async (page: Page, want: Figures, before: Figures) => {
      const fmt: Record<keyof Figures, (n: number) => string> = {
        activeUsers: int.format,
        threads: int.format,
        turns: int.format,
        credits: dec.format,
        usd: usd.format,
        tokens: int.format,
      };
      for (const k of Object.keys(fmt) as (keyof Figures)[]) {
        assert.equal(await onScreen(page, k), fmt[k](want[k]), `tile ${k}`);
        const delta =
          before[k] === 0 ? 'no earlier data' : `${pct.format((want[k] - before[k]) / before[k])} vs previous 30 days`;
        assert.equal(await deltaOnScreen(page, k), delta, `change of ${k}`);
      }
    };

    before(async () => {
      t = await makeApp(dialect, {}, { webRoot: WEB });
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
      await userWithPassword(t, 'owner@example.com', 'owner');
      devId = await t.user('dev@example.com', 'member'); // no password: the test sets it through a reset link
      // Two developers this period, one of them also in the previous period (the change tiles).
      await ingest('exec-json', 'owner@example.com', end - 3 * DAY - 3600);
      await ingest('tui', 'dev@example.com', end - DAY + 600);
      await ingest('appserver-vscode', 'dev@example.com', end - 9 * DAY);
      await ingest('exec-resume', 'owner@example.com', start - 5 * DAY);
    });
    after(() => t?.close());

    it("an owner signs in and reads the workspace's figures, the same as the API's", async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const asked: any[] = [];
      page.on('request', (r) => r.url().endsWith('/query') && asked.push(JSON.parse(r.postData() ?? '{}')));
      await signIn(page, 'owner@example.com');
      errors.length = 0; // before signing in, the page's session probe is refused (401), as it should be
      const now = await truth(start, end);
      assert.equal(now.activeUsers, 2);
      assert.ok(now.threads >= 2 && now.tokens > 0, JSON.stringify(now));
      await expectTiles(page, now, await truth(start - 30 * DAY, start));
      assert.equal(await page.locator('[data-testid=who]').textContent(), 'owner@example.com · owner');
      // Freshness per source, as GET .../freshness has it: OTLP's newest event in its title (to the
      // minute, UTC), the sources that sent nothing shown as a dash.
      const fr = await fetch(`${origin}/v1/analytics/codex/workspaces/${t.workspaceId}/freshness`, {
        headers: { authorization: `Bearer ${t.ownerKey}` },
      }).then((r) => r.json());
      const otlp = fr.sources.find((x: any) => x.source === 'otlp');
      assert.ok(otlp.newest_event_at > 0);
      const minute = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
      const otlpOnScreen = page.locator('[data-testid=freshness-sources] [data-source=otlp]');
      assert.match(
        (await otlpOnScreen.getAttribute('title')) ?? '',
        new RegExp(`newest event ${minute(otlp.newest_event_at)}`),
      );
      assert.match(
        (await otlpOnScreen.textContent()) ?? '',
        /^OpenTelemetry \d+ (min|h|d) ago$|^OpenTelemetry just now$/,
      );
      for (const none of fr.sources.filter((x: any) => x.newest_event_at === null))
        assert.match(
          (await page.locator(`[data-testid=freshness-sources] [data-source=${none.source}]`).textContent()) ?? '',
          / –$/,
        );

      // The chart's numbers: tokens by model over the range, as the query API has them, adding up to
      // the usage endpoint's token total.
      const byModel = await queryApi({ metrics: ['text_total_tokens'], dimensions: ['model'], date_range: range });
      assert.equal(
        byModel.reduce((n, m) => n + m.text_total_tokens, 0),
        now.tokens,
      );
      await page.getByText('Show the numbers').click();
      const table = page.locator('[data-testid=chart-table] tbody tr');
      assert.equal(await table.count(), byModel.length);
      for (const m of byModel)
        assert.equal(
          await table.filter({ hasText: m.model }).locator('td').textContent(),
          int.format(m.text_total_tokens),
          m.model,
        );
      assert.equal(await page.locator('.chart canvas').count(), 1);
      // Threads and turns by client: the usage endpoint's clients[], summed here over its rows.
      const perClient = new Map<string, { threads: number; turns: number }>();
      for (const r of await api({ start_time: start, end_time: end, group: 'workspace' }))
        for (const c of r.clients) {
          const acc = perClient.get(c.client_id) ?? { threads: 0, turns: 0 };
          perClient.set(c.client_id, { threads: acc.threads + c.threads, turns: acc.turns + c.turns });
        }
      const clientRows = page.locator('[data-testid=clients-table] tbody tr');
      assert.equal(await clientRows.count(), perClient.size);
      for (const [client, v] of perClient) {
        const cells = await clientRows.filter({ hasText: client }).locator('td').allTextContents();
        assert.deepEqual(cells.slice(1), [int.format(v.threads), int.format(v.turns)], client);
      }
      const surfaces = await queryApi({ metrics: ['active_users'], dimensions: ['surface'], date_range: range });
      for (const s of surfaces)
        assert.equal(
          await page.locator(`[data-surface=${s.surface}] .bar-value`).textContent(),
          int.format(s.active_users),
        );

      // The ranking: by credits first, each person's figures the usage endpoint's sums for them.
      const userRows = await api({ start_time: start, end_time: end, group: 'user', limit: 30000 });
      const perUser = new Map<string, { email: string; credits: number; turns: number; tokens: number }>();
      for (const r of userRows) {
        const acc = perUser.get(r.user_id) ?? { email: r.email, credits: 0, turns: 0, tokens: 0 };
        acc.credits += r.totals.credits;
        acc.turns += r.totals.turns;
        acc.tokens += r.totals.text_total_tokens;
        perUser.set(r.user_id, acc);
      }
      await page.locator('[data-testid=ranking] tbody tr').first().waitFor();
      const ranked = await queryApi({
        metrics: ['credits', 'current_streak'],
        dimensions: ['user'],
        date_range: range,
        order_by: [['credits', 'desc']],
      });
      const shown = await rankingRows(page);
      assert.deepEqual(
        shown.map((r) => r[1]),
        ranked.map((r) => r.email),
      );
      for (const r of shown) {
        const u = [...perUser.values()].find((x) => x.email === r[1])!;
        assert.deepEqual([r[2], r[4], r[5]], [dec.format(u.credits), int.format(u.turns), int.format(u.tokens)], r[1]);
        assert.equal(r[6], String(ranked.find((x) => x.email === r[1]).current_streak));
      }
      // Who looked at whom: the ranking once (the panels are aggregates and record nothing).
      const byPage = (await views()).filter((v) => v.actor?.type === 'user');
      assert.deepEqual(
        byPage.map((v) => v.after.what),
        ['analytics.query'],
      );
      // Sorted by turns on the server (ascending on the second click), then filtered to one client.
      await page.getByRole('button', { name: 'Turns' }).click();
      await page.waitForFunction(() =>
        document.querySelector('th[aria-sort] button')?.textContent?.startsWith('Turns'),
      );
      const turnsDesc = [...perUser.values()].sort((a, b) => b.turns - a.turns).map((u) => u.email);
      await page.waitForFunction(
        (want) =>
          [...document.querySelectorAll('[data-testid=ranking] tbody tr:not([aria-hidden]) th')]
            .map((x) => x.textContent)
            .join() === want,
        turnsDesc.join(),
      );
      // The ranking's client and model options are the panels' own rows (by client; the chart's keys
      // by model), not queries of their own; the team options are the API's teams.
      const options = (label: string) =>
        page
          .getByLabel(label, { exact: true })
          .locator('option')
          .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
      const byClient = await queryApi({ metrics: ['turns'], dimensions: ['client'], date_range: range });
      assert.deepEqual((await options('Client')).sort(), byClient.map((r) => r.client).sort());
      assert.deepEqual((await options('Model')).sort(), byModel.map((r) => r.model).sort());
      const lone = (d: string) => asked.filter((b) => b.dimensions?.join() === d && b.metrics.join() === 'turns');
      assert.deepEqual([lone('client').length, lone('model').length], [0, 0], 'no option queries of their own');
      await page.getByLabel('Client', { exact: true }).selectOption('CODEX_IDE_VSCODE');
      const vscode = new Map<string, number>();
      for (const r of userRows)
        for (const c of r.clients)
          if (c.client_id === 'CODEX_IDE_VSCODE') vscode.set(r.email, (vscode.get(r.email) ?? 0) + c.turns);
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll('[data-testid=ranking] tbody tr:not([aria-hidden])').length === n &&
          document.querySelector('[data-testid=ranking-count]')?.textContent?.endsWith(`of ${n}`),
        vscode.size,
      );
      for (const r of await rankingRows(page)) assert.equal(r[4], int.format(vscode.get(r[1])!), r[1]);
      await page.screenshot({ path: path.join(SHOTS, `overview-owner-light-${dialect}.png`), fullPage: true });

      // Weekly buckets: the same tiles (they sum the range), the chart from the API's weeks.
      await page.getByLabel('Weekly').check();
      await page.waitForFunction(() => document.querySelector('#chart-title')?.textContent?.includes('weekly'));
      await expectTiles(page, now, await truth(start - 30 * DAY, start));
      // Download CSV (the export link, streamed): its "all" rows are the API's weekly workspace rows.
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-usage-csv').click()]);
      const [head, ...lines] = fs
        .readFileSync((await file.path())!, 'utf8')
        .trimEnd()
        .split('\n');
      const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head!.split(',')[i], v])));
      const weeks = await api({ start_time: start, end_time: end, group: 'workspace', group_by: 'week' });
      assert.deepEqual(
        rows
          .filter((r) => r.client_id === 'all')
          .map((r) => [Number(r.start_time), Number(r.turns), Number(r.credits)]),
        weeks.map((w) => [w.start_time, w.totals.turns, w.totals.credits]),
      );
      await page.getByRole('button', { name: 'Dark mode' }).click();
      // The theme is applied on the next render: wait for it rather than read it at once.
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      await page.screenshot({ path: path.join(SHOTS, `overview-owner-dark-${dialect}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await ctx.close();
    });

    it('a member sets a password from a reset link, signs in and sees only their own usage', async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
      const page = await ctx.newPage();
      const link = await fetch(`${origin}/v1/admin/workspaces/${t.workspaceId}/users/${devId}/reset_link`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(link.status, 201, await link.clone().text());
      const url: string = (await link.json()).url;
      assert.match(url, /\/auth\/set-password#token=/);
      await page.goto(url);
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByLabel('Repeat it').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByText('You can now sign in as dev@example.com').waitFor();
      await page.screenshot({ path: path.join(SHOTS, `password-set-${dialect}.png`) });
      assert.equal(new URL(page.url()).hash, '', 'the used token leaves the address bar');
      await page.getByRole('button', { name: 'Go to sign-in' }).click();
      await signIn(page, 'dev@example.com');
      const own = await truth(start, end, devId);
      const all = await truth(start, end);
      assert.equal(own.activeUsers, 1);
      assert.ok(own.threads < all.threads, 'the workspace has more than the member');
      await expectTiles(page, own, await truth(start - 30 * DAY, start, devId));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your usage');
      assert.equal(await page.locator('[data-testid=ranking]').count(), 0, 'no ranking of one');
      await page.screenshot({ path: path.join(SHOTS, `overview-member-dark-${dialect}.png`), fullPage: true });
      // Signing out ends the session: the page goes back to sign-in, and the API refuses the cookie.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${origin}/sign-in`);
      const after = await page.evaluate(async () => (await fetch('/auth/session')).status);
      assert.equal(after, 401);
      await page.screenshot({ path: path.join(SHOTS, `sign-in-${dialect}.png`) });
      await ctx.close();
    });
  });
}

// The people pages in a real browser (Debian's Chromium via playwright-core) against a real server
// and store: an owner opens a user's page (and a thread's compliance records), Teams, Adoption,
// Keys and setup (sets up a developer, rotates a key) and Admin (makes a team); every figure read
// on screen is checked against the API, asked separately with the owner's key. A member sees only
// their own page and cannot open Admin; an analytics viewer sees small teams folded as the API
// folds them. Screenshots go to test-artifacts/people (gitignored). Runs on the first of the test
// dialects only (see below).
// Needs `npm run build` (dist/web) and /usr/bin/chromium (`apt-get install -y chromium`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { makeApp, type TestApp } from '../support/app.js';
import { PASSWORD, userWithPassword } from '../support/accounts.js';
import { loadOtlp, shiftTimes } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'dist', 'web');
const SHOTS = path.join(ROOT, 'test-artifacts', 'people');
const CHROMIUM = '/usr/bin/chromium';
const DAY = 86_400;
const end = (Math.floor(Date.now() / 1000 / DAY) + 1) * DAY;
const start = end - 30 * DAY;

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

let browser: Browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(() => browser?.close());

// One store: the pages read the API's JSON, the same from both databases (people-reads.http.test.ts
// checks those reads on each); a second run of the whole flow would double the file's time.
for (const dialect of DIALECTS.slice(0, 1)) {
  describe(`people pages in the browser (${dialect})`, { timeout: 300_000 }, () => {
    let t: TestApp;
    let origin: string;
    const id: Record<string, string> = {};
    const call = async (method: string, url: string, body?: unknown, key = t.ownerKey) => {
      const r = await fetch(`${origin}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const A = () => `/v1/analytics/codex/workspaces/${t.workspaceId}`;
    const AD = () => `/v1/admin/workspaces/${t.workspaceId}`;
    const usage = async (q: string, key?: string) => {
      const r = await call('GET', `${A()}/usage?start_time=${start}&end_time=${end}&limit=30000&${q}`, undefined, key);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data as any[];
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
      await page.locator('[data-testid=who]').waitFor();
    };
    const open = async (page: Page, to: string) => {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: to, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
    };
    const tile = async (page: Page, key: string) => {
      const v = page.locator(`[data-testid=tile-${key}] .tile-value`);
      await page.waitForFunction(
        (k) => document.querySelector(`[data-testid=tile-${k}] .tile-value`)?.textContent !== '–',
        key,
      );
      return (await v.textContent())?.trim();
    };
    // After a navigation the old view's tiles can still be on screen for a frame: wait (bounded) for the
    // expected figure, then read what is there, so a wrong figure still fails.
    const tileAfter = async (page: Page, key: string, want: string) => {
      await page
        .waitForFunction(
          ([k, w]) => document.querySelector(`[data-testid=tile-${k}] .tile-value`)?.textContent?.trim() === w,
          [key, want] as const,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      return tile(page, key);
    };
    const cell = (page: Page, table: string, key: string, col: number) =>
      page.locator(`[data-testid=${table}] tr[data-key="${key}"] td:nth-child(${col})`).textContent();
    // Each page as it is photographed is also checked by axe-core: nothing serious or critical (WCAG A/AA).
    const shot = async (page: Page, name: string) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}-${dialect}.png`), fullPage: true });
      const found = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
      assert.ok(found.passes.length > 10, 'axe ran its rules');
      const bad = found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        `accessibility of ${name}`,
      );
    };

    before(async () => {
      t = await makeApp(dialect, {}, { webRoot: WEB });
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
      id.owner = await userWithPassword(t, 'owner@example.com', 'owner');
      id.dev = await userWithPassword(t, 'dev@example.com', 'member');
      id.viewer = await userWithPassword(t, 'viewer@example.com', 'analytics_viewer');
      id.idle = await t.user('new@example.com', 'member');
      await t.key(['ingest.write'], 'new@example.com');
      await ingest('tui', 'dev@example.com', end - DAY + 600);
      await ingest('exec-json', 'dev@example.com', end - 3 * DAY);
      await ingest('appserver-vscode', 'owner@example.com', end - 2 * DAY);
      const team = (await call('POST', `${AD()}/teams`, { name: 'platform' })).body;
      for (const email of ['owner@example.com', 'dev@example.com'])
        assert.equal((await call('POST', `${AD()}/teams/${team.id}/members`, { email })).status, 200);
      id.team = team.id;
    });
    after(() => t?.close());

    // The owner signs in once for the two tests below (hashing a password is the slow part of a sign-in).
    let ownerPage: Page;
    it("an owner reads a user's page, Teams and Adoption, each figure the API's", async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      const page = (ownerPage = await ctx.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, 'owner@example.com');
      const nav = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents();
      assert.deepEqual(nav, [
        'Overview',
        'My usage',
        'Adoption',
        'Teams',
        'Code Review',
        'Tools and skills',
        'Compliance',
        'Keys and setup',
        'Admin',
      ]);

      // The user page, reached from Adoption's table: tiles from the API's rows for that user.
      await open(page, 'Adoption');
      await page.getByLabel('Everyone').check();
      await page.getByRole('link', { name: 'dev@example.com' }).click();
      await page.waitForURL(`${origin}/users/${id.dev}`);
      const rows = await usage(`group=user&user_id=${id.dev}`);
      const sum = (k: string) => rows.reduce((n, r) => n + r.totals[k], 0);
      assert.equal(await tileAfter(page, 'threads', int.format(sum('threads'))), int.format(sum('threads')));
      assert.equal(await tileAfter(page, 'turns', int.format(sum('turns'))), int.format(sum('turns')));
      assert.equal(
        await tileAfter(page, 'tokens', int.format(sum('text_total_tokens'))),
        int.format(sum('text_total_tokens')),
      );
      assert.equal(await tile(page, 'credits'), dec.format(sum('credits')));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'dev@example.com');
      const threads = (await call('GET', `${A()}/users/${id.dev}/threads?start_time=${start}&end_time=${end}`)).body
        .data;
      assert.equal(threads.length, sum('threads'));
      const shown = page.locator('[data-testid=threads-table] tbody tr[data-key]');
      assert.equal(await shown.count(), threads.length);
      for (const th of threads) {
        assert.equal(await cell(page, 'threads-table', th.thread_id, 5), int.format(th.turns));
        assert.equal(await cell(page, 'threads-table', th.thread_id, 7), int.format(th.text_total_tokens));
      }
      const clients = new Map<string, number>();
      for (const r of rows)
        for (const c of r.clients) clients.set(c.client_id, (clients.get(c.client_id) ?? 0) + c.turns);
      for (const [client, turns] of clients)
        assert.equal(await cell(page, 'clients-table', client, 3), int.format(turns));
      // Drill into a thread: its compliance records, as the Compliance API lists them.
      const first = threads[0].thread_id;
      const records = (
        await call('GET', `/v1/compliance/workspaces/${t.workspaceId}/search?thread_id=${first}&limit=200`)
      ).body.data;
      assert.ok(records.length > 0);
      await page
        .locator(`[data-testid=threads-table] tr[data-key="${first}"]`)
        .getByRole('button', { name: 'Records' })
        .click();
      await page.locator('[data-testid=thread-records] li').first().waitFor();
      assert.equal(await page.locator('[data-testid=thread-records] li').count(), records.length);
      await shot(page, 'user-owner-light');

      // Teams: the owner sees every team (no floor for owners); sums of the API's team rows.
      await open(page, 'Teams');
      await page.locator(`[data-testid=teams-table] tr[data-key="${id.team}"]`).waitFor();
      const teamRows = (await usage('group=team')).filter((r) => r.team_id === id.team);
      const tsum = (k: string) => teamRows.reduce((n, r) => n + r.totals[k], 0);
      const members = new Set(
        (await usage('group=user')).filter((r) => r.teams.includes(id.team)).map((r) => r.user_id),
      );
      assert.equal(members.size, 2);
      const size = (await call('GET', `${AD()}/teams/${id.team}`)).body.members;
      assert.equal(await cell(page, 'teams-table', id.team, 2), int.format(size));
      assert.equal(await cell(page, 'teams-table', id.team, 3), int.format(members.size));
      assert.equal(await cell(page, 'teams-table', id.team, 4), dec.format(tsum('credits') / members.size));
      assert.equal(await cell(page, 'teams-table', id.team, 5), int.format(tsum('threads')));
      assert.equal(await cell(page, 'teams-table', id.team, 6), int.format(tsum('turns')));
      assert.equal(await cell(page, 'teams-table', id.team, 8), int.format(tsum('text_total_tokens')));
      await shot(page, 'teams-owner-light');

      // Adoption: the tiles and the inactive counts are the seat view's.
      await open(page, 'Adoption');
      const a = (await call('GET', `${A()}/adoption`)).body;
      assert.equal(await tile(page, 'seats'), int.format(a.seats));
      assert.equal(await tile(page, 'activated'), int.format(a.activated));
      assert.equal(await tile(page, 'neverActive'), int.format(a.never_active));
      assert.equal(a.activated, 2);
      const everyone = (await call('GET', `${A()}/adoption/seats?state=all&limit=1000`)).body.data;
      assert.ok(everyone.find((u: any) => u.user_id === id.idle && u.has_key && u.first_active_at === null));
      for (const d of ['14', '30', '60'])
        assert.equal(await page.locator(`[data-testid=inactive-${d}] dd`).textContent(), int.format(a.inactive[d]));
      const bars = await page
        .getByRole('list', { name: /days from being added/ })
        .locator('.bar-value')
        .allTextContents();
      assert.deepEqual(
        bars,
        ['0', '1-7', '8-30', '31+'].map((k) => int.format(a.days_to_first_use[k])),
      );
      // "Never active" is the table's first view: exactly those seats, as the server pages them.
      const never = everyone.filter((u: any) => u.first_active_at === null && (u.has_key || u.has_sign_in));
      const neverPage = (await call('GET', `${A()}/adoption/seats?state=never_active`)).body;
      assert.equal(neverPage.total, never.length);
      await page.locator('[data-testid=seats-table] tbody tr[data-key]').first().waitFor();
      const keysOnScreen = () =>
        page
          .locator('[data-testid=seats-table] tbody tr[data-key]')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-key')));
      assert.deepEqual(
        await keysOnScreen(),
        neverPage.data.map((u: any) => u.user_id),
      );
      assert.equal(await page.getByTestId('seats-count').textContent(), `1–${never.length} of ${never.length}`);
      // Everyone, by days to first use (the server's order): the same rows in the same order.
      await page.getByLabel('Everyone').check();
      await page.getByRole('button', { name: 'Days to first use' }).click();
      const byFirstUse = (await call('GET', `${A()}/adoption/seats?state=all&sort=days_to_first_use&order=desc`)).body;
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=seats-count]')?.textContent?.endsWith(`of ${n}`),
        byFirstUse.total,
      );
      await page.locator('[data-testid=seats-table] th[aria-sort=descending]').waitFor();
      assert.deepEqual(
        await keysOnScreen(),
        byFirstUse.data.map((u: any) => u.user_id),
      );
      // Finding a seat by a piece of its email (emails shown in this workspace): the server's answer.
      const someone = everyone.find((u: any) => u.email)!;
      const piece = someone.email.split('@')[0].slice(0, 3).toUpperCase();
      const matching = (
        await call('GET', `${A()}/adoption/seats?state=all&sort=days_to_first_use&order=desc&search=${piece}`)
      ).body;
      assert.ok(matching.total >= 1 && matching.total < everyone.length, `${piece}: ${matching.total}`);
      await page.getByTestId('seat-search').fill(piece.toLowerCase());
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=seats-count]')?.textContent?.endsWith(`of ${n}`),
        matching.total,
      );
      assert.deepEqual(
        await keysOnScreen(),
        matching.data.map((u: any) => u.user_id),
      );
      await page.getByTestId('seat-search').fill('');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=seats-count]')?.textContent?.endsWith(`of ${n}`),
        byFirstUse.total,
      );
      await shot(page, 'adoption-owner-light');
      assert.deepEqual(errors, []);
    });

    it('an owner sets up a developer, rotates a key and makes a team in the UI', async () => {
      const page = ownerPage;
      await page.emulateMedia({ colorScheme: 'dark' });
      await open(page, 'Keys and setup');
      // Every ingest token, with its person's turns of the last 30 days (the seat view's).
      const keys = (await call('GET', `${AD()}/keys`)).body.data as any[];
      const devKey = keys.find((k) => k.user_id === id.dev && k.scopes.includes('ingest.write'));
      const devSeat = (await call('GET', `${A()}/adoption/seats?user_id=${id.dev}`)).body.data[0];
      assert.ok(devSeat.turns_30d > 0);
      await page.locator(`[data-testid=tokens-table] tr[data-key="${devKey.id}"]`).waitFor();
      assert.equal(await cell(page, 'tokens-table', devKey.id, 2), 'dev@example.com');
      await page.waitForFunction(
        (k) =>
          document.querySelector(`[data-testid=tokens-table] tr[data-key="${k}"] td:nth-child(5)`)?.textContent !== '–',
        devKey.id,
      );
      assert.equal(await cell(page, 'tokens-table', devKey.id, 5), int.format(devSeat.turns_30d));
      assert.equal(await cell(page, 'tokens-table', devKey.id, 6), String(devSeat.machines));

      // A new developer: their token inside the [otel] block, pointing at this server, and working.
      // Typing part of their email suggests them, as the server's user search has them.
      const dev = page.getByRole('combobox', { name: 'Developer', exact: true });
      await dev.fill('new@exa');
      const want = (await call('GET', `${AD()}/users?search=new%40exa&limit=8&people=true`)).body.data.map(
        (u: any) => u.email,
      );
      assert.deepEqual(want, ['new@example.com']);
      await page.waitForFunction(
        (w) =>
          [...document.querySelectorAll('[data-testid=setup-people] option')]
            .map((o) => (o as HTMLOptionElement).value)
            .join() === w,
        want.join(),
      );
      await dev.fill('new@example.com');
      await page.getByRole('button', { name: 'Create their token' }).click();
      const block = (await page.locator('[data-testid=secret] pre').first().textContent())!;
      assert.match(block, new RegExp(`endpoint = "${origin}/v1/logs"`));
      const secret = /Bearer (stw_[\w-]+)/.exec(block)![1];
      const payload = shiftTimes(loadOtlp('auth-apikey.otel-logs.json'), Date.now() - 60_000);
      const sent = await fetch(`${origin}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify(payload),
      });
      assert.equal(sent.status, 200);
      await shot(page, 'keys-setup-dark');
      await page.getByRole('button', { name: 'Done' }).click();

      // An analytics key made here, then rotated: the new secret reads, the old one has a grace end.
      await page.getByLabel('Name').fill('bi export');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('[data-testid=secret]').waitFor();
      const firstSecret = (await page.locator('[data-testid=secret] pre').textContent())!.trim();
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Rotate bi export' }).click();
      await page.getByText('Rotated bi export').waitFor();
      const rotated = (await page.locator('[data-testid=secret] pre').first().textContent())!.trim();
      assert.notEqual(rotated, firstSecret);
      assert.equal((await call('GET', `${A()}/adoption`, undefined, rotated)).status, 200);
      const bi = (await call('GET', `${AD()}/keys`)).body.data.filter((k: any) => k.name === 'bi export');
      assert.equal(bi.length, 2);
      assert.ok(
        bi.some((k: any) => k.expires_at !== null && k.expires_at > Date.now()),
        'the old one in its grace',
      );
      await page.getByRole('button', { name: 'Done' }).click();
      await shot(page, 'keys-dark');

      // Admin: a team made and filled here is the API's.
      await open(page, 'Admin');
      await page.locator('[data-testid=users-table] tr[data-key]').first().waitFor();
      const users = (await call('GET', `${AD()}/users`)).body.data;
      assert.equal(await page.locator('[data-testid=users-table] tbody tr[data-key]').count(), users.length);
      assert.equal(await page.getByTestId('users-count').textContent(), `1–${users.length} of ${users.length}`);
      // Found on the server by a piece of a name or email, any case: the API's answer.
      const found = (await call('GET', `${AD()}/users?search=DEV&limit=100`)).body;
      await page.getByTestId('users-search').fill('DEV');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=users-count]')?.textContent?.endsWith(`of ${n}`),
        found.total,
      );
      assert.deepEqual(
        await page
          .locator('[data-testid=users-table] tbody tr[data-key]')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-key'))),
        found.data.map((u: any) => u.id),
      );
      // Nobody by that text: the table gives way to saying so.
      await page.getByTestId('users-search').fill('zz-nobody');
      await page.getByText('Nobody matches “zz-nobody”.').waitFor();
      await page.getByTestId('users-search').fill('');
      await shot(page, 'admin-people-dark');
      await page.getByRole('tab', { name: 'Teams' }).click();
      await page.getByLabel('Team name').fill('qa');
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByLabel('Add by email').fill('dev@example.com');
      await page.getByRole('button', { name: 'Add member' }).click();
      await page.getByRole('button', { name: 'Remove dev@example.com from qa' }).waitFor();
      const qa = (await call('GET', `${AD()}/teams/qa`)).body;
      assert.deepEqual(
        qa.member_list.map((m: any) => m.email),
        ['dev@example.com'],
      );
      await shot(page, 'admin-teams-dark');
      await page.getByRole('tab', { name: 'Settings' }).click();
      assert.equal(await page.locator('[data-testid=min-team-size]').textContent(), '5 members');
      assert.equal(await page.locator('[data-testid=show-emails]').textContent(), 'Shown');
      await shot(page, 'admin-settings-dark');
      // Emails off for this workspace, by keyboard: the ranking, the usage rows and the export then
      // name user ids only, as the API says.
      const toggle = page.getByLabel('Show emails in usage rows, people pages and exports');
      await toggle.focus();
      await page.keyboard.press('Space');
      assert.equal(await toggle.isChecked(), false);
      await page.getByRole('button', { name: 'Save analytics settings' }).click();
      await page.getByText('Saved. Every page and export').waitFor();
      assert.equal(await page.locator('[data-testid=show-emails]').textContent(), 'Hidden (user ids only)');
      const stored = (await call('GET', `${AD()}/settings`)).body;
      assert.deepEqual([stored.workspace.show_emails, stored.effective.show_emails], [false, false]);
      const byUser = await usage('group=user');
      assert.ok(byUser.length > 0 && byUser.every((r) => r.email === null));
      const exported = await call('GET', `${A()}/exports/users.json?start_time=${start}&end_time=${end}`);
      assert.ok(exported.body.data.length > 0 && exported.body.data.every((r: any) => r.email === null));
      await open(page, 'Overview');
      const ranked = page.locator('[data-testid=ranking] tbody tr:not([aria-hidden]) td:first-child');
      await ranked.first().waitFor();
      const names = await ranked.allTextContents();
      assert.ok(names.length > 0 && names.every((n) => !n.includes('@')), names.join(' '));
      await open(page, 'Admin');
      await page.getByRole('tab', { name: 'Settings' }).click();
      await toggle.check();
      await page.getByRole('button', { name: 'Save analytics settings' }).click();
      await page.getByText('Saved. Every page and export').waitFor();
      assert.equal((await call('GET', `${AD()}/settings`)).body.effective.show_emails, true);
      await page.context().close();
    });

    it('a member sees only their own page and cannot open Admin; a viewer sees small teams folded', async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      const page = await ctx.newPage();
      await signIn(page, 'dev@example.com');
      const nav = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents();
      assert.deepEqual(nav, ['Overview', 'My usage']);
      await page.goto(`${origin}/admin`);
      await page.waitForURL(`${origin}/users/${id.dev}`);
      await page.goto(`${origin}/users/${id.owner}`);
      await page.waitForURL(`${origin}/users/${id.dev}`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your usage');
      const rows = await usage(`group=user&user_id=${id.dev}`);
      assert.equal(await tile(page, 'turns'), int.format(rows.reduce((n, r) => n + r.totals.turns, 0)));
      // No archive for a member: the threads have no records button.
      await page.locator('[data-testid=threads-table]').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Records' }).count(), 0);
      await shot(page, 'user-member-light');
      await ctx.close();

      const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      const v = await viewer.newPage();
      await signIn(v, 'viewer@example.com');
      await open(v, 'Teams');
      await v.locator('[data-testid=teams-table] tr[data-key="other"]').waitFor();
      const analytics = await t.key(['codex.enterprise.analytics.read']);
      const folded = await usage('group=team', analytics);
      assert.ok(
        folded.every((r) => r.team_id === 'other'),
        'both teams are under the floor of 5',
      );
      assert.equal(await v.locator(`[data-testid=teams-table] tr[data-key="${id.team}"]`).count(), 0);
      const turns = folded.reduce((n, r) => n + r.totals.turns, 0);
      assert.equal(await cell(v, 'teams-table', 'other', 6), int.format(turns));
      assert.ok(await v.locator('[data-testid=floor-note]').isVisible());
      await shot(v, 'teams-viewer-light');
      await viewer.close();
    });
  });
}

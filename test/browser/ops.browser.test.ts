// The Code Review, Tools and skills and Compliance pages in a real browser (Debian's Chromium via
// playwright-core) against a real server and store: tool calls from real OTLP captures (and copies
// of a capture's decision and result records), Code Review from real GitHub webhook payloads with
// reactions polled from a loopback fake of GitHub. Every figure read on screen is checked against
// the API, asked separately with a key. A security owner searches the archive for a prompt, opens
// its record, holds and releases its thread, downloads an export and verifies the chain; an
// analytics viewer is offered no Compliance page, is refused it, and the API refuses them too.
// Screenshots go to test-artifacts/ops (gitignored). Needs `npm run build` and /usr/bin/chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { pollReactionsOnce } from '../../src/code-review/github/reaction-poller.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { PASSWORD, userWithPassword } from '../support/accounts.js';
import {
  BOT,
  badge,
  deliver,
  type FakeGithub,
  issueCommentPayload,
  reviewCommentPayload,
  reviewPayload,
  startFakeGithub,
} from '../support/github.js';
import { loadOtlp, shiftTimes } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { otlpOf, type ToolCallSpec, toolRecords } from '../support/tool-calls.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'dist', 'web');
const SHOTS = path.join(ROOT, 'test-artifacts', 'ops');
const CHROMIUM = '/usr/bin/chromium';
const DAY = 86_400;
const end = (Math.floor(Date.now() / 1000 / DAY) + 1) * DAY; // the pages' window: 30 UTC days, today included
const start = end - 30 * DAY;
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SECRET = 'It is a secret to everybody';

const sum = <R>(rows: R[], f: (r: R) => number) => rows.reduce((a, r) => a + f(r), 0);

let browser: Browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(() => browser?.close());

for (const dialect of DIALECTS) {
  describe(`ops pages in the browser (${dialect})`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let gh: FakeGithub;
    let origin: string;
    let sinkDir: string;
    let secId: string;
    const headers = () => ({ authorization: `Bearer ${t.ownerKey}` });
    const api = async (p: string) => {
      const r = await fetch(`${origin}${p}`, { headers: headers() });
      assert.equal(r.status, 200, `${p}: ${r.status}`);
      return r.json();
    };
    const analytics = async (endpoint: string, group?: string): Promise<any[]> =>
      (
        await api(
          `/v1/analytics/codex/workspaces/${t.workspaceId}/${endpoint}?start_time=${start}&end_time=${end}&limit=30000${group ? `&group=${group}` : ''}`,
        )
      ).data;
    const post = async (key: string, body: unknown) => {
      const r = await fetch(`${origin}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 200, await r.text());
    };
    const signIn = async (page: Page, email: string, lands: string) => {
      await page.goto(`${origin}/sign-in`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin}${lands}`);
    };
    const open = async (email: string, lands: string, scheme: 'light' | 'dark' = 'light') => {
      const ctx = await browser.newContext({
        viewport: { width: 1360, height: 1000 },
        colorScheme: scheme,
        acceptDownloads: true,
      });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, email, lands);
      return { ctx, page, errors };
    };
    const tile = async (page: Page, key: string) =>
      (await page.locator(`[data-testid=tile-${key}] .tile-value`).textContent())?.trim();
    const cell = (page: Page, table: string, row: string, col: string) =>
      page.locator(`[data-testid=${table}] tr[data-key="${row}"] td[data-col=${col}]`).textContent();
    // axe-core over the page as it is: nothing serious or critical (contrast, labels, roles, names).
    // The markup is the same on every store: checked on the first only, on the two pages that hold
    // every component (charts, bar lists, sortable tables; forms, tabs, the record view): time budget.
    const accessible = async (page: Page, what: string) => {
      if (dialect !== DIALECTS[0]) return;
      // (@axe-core/playwright types its page as playwright's; playwright-core's is the same object.)
      const r = await new AxeBuilder({ page } as never).withTags(['wcag2a', 'wcag2aa']).analyze();
      const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        `${what}: axe-core`,
      );
    };
    const shot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SHOTS, `${name}-${dialect}.png`), fullPage: true });

    before(async () => {
      gh = await startFakeGithub();
      sinkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-ops-sink-'));
      t = await makeApp(
        dialect,
        {
          github: { webhook_secret: SECRET, token: 'ghp_test', api_base_url: gh.url, reaction_window_days: 14 },
          compliance: { sinks: [{ name: 'archive', type: 'file', path: path.join(sinkDir, 'records.jsonl') }] },
        },
        { webRoot: WEB },
      );
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
      await userWithPassword(t, 'owner@example.com', 'owner');
      secId = await userWithPassword(t, 'sec@example.com', 'security_owner');
      await userWithPassword(t, 'viewer@example.com', 'analytics_viewer');
      await t.user('dev@example.com', 'member');

      // Tool calls: three real sessions, and copies of a capture's records (other tools, outcomes,
      // an MCP server, decisions by a person), their decisions and results sent apart.
      const devKey = await t.key(['ingest.write'], 'dev@example.com');
      const ownerIngest = await t.key(['ingest.write'], 'owner@example.com');
      await post(ownerIngest, shiftTimes(loadOtlp('exec-json.otel-logs.json'), (end - 2 * DAY - 3600) * 1000));
      await post(devKey, shiftTimes(loadOtlp('appserver-vscode.otel-logs.json'), (end - 5 * DAY) * 1000));
      await post(devKey, shiftTimes(loadOtlp('tui.otel-logs.json'), (end - DAY + 600) * 1000));
      // A real capture with a skill invocation (the skills panel, where the server has the read).
      const skill = loadOtlp('events-0.169/agent-response-skill/otel-logs-001.json');
      await post(devKey, shiftTimes(skill, (end - 4 * DAY) * 1000));
      const calls: ToolCallSpec[] = [];
      for (let i = 0; i < 30; i++)
        calls.push({
          callId: `ops_${i}`,
          tool: ['exec_command', 'apply_patch', 'search', 'mcp__github__get_issue'][i % 4],
          at: (end - (1 + (i % 9)) * DAY) * 1000 + i * 60_000,
          decision: i % 7 === 3 ? 'denied' : i % 5 === 0 ? undefined : 'approved',
          source: i % 4 === 1 ? 'User' : 'Config',
          success: i % 7 === 3 ? undefined : i % 6 !== 2,
          durationMs: 30 + ((i * 37) % 900),
          mcpServer: i % 4 === 2 ? 'docs' : undefined,
        });
      await post(devKey, otlpOf(toolRecords(calls, 'decision')));
      await post(devKey, otlpOf(toolRecords(calls, 'result')));

      // Code Review: a Codex review and its findings on two repositories, a reply, reactions.
      const send = async (event: string, payload: unknown) => {
        const r = await deliver(t, event, payload);
        assert.equal(r.statusCode, 200, r.body);
      };
      const at = (d: number) => (end - d * DAY - 7200) * 1000;
      await send('pull_request_review', reviewPayload({ id: 71, login: BOT, at: at(6), repo: 'acme/api', pr: 12 }));
      await send('pull_request_review', reviewPayload({ id: 72, login: BOT, at: at(3), repo: 'acme/web', pr: 4 }));
      await send('pull_request_review', reviewPayload({ id: 73, login: BOT, at: at(1), repo: 'acme/api', pr: 15 }));
      const findings: [number, number, number, string, number][] = [
        [101, 6, 0, 'acme/api', 71],
        [102, 6, 1, 'acme/api', 71],
        [103, 6, 2, 'acme/api', 71],
        [104, 3, 1, 'acme/web', 72],
        [105, 3, 3, 'acme/web', 72],
        [106, 1, 0, 'acme/api', 73],
        [107, 1, 2, 'acme/api', 73],
      ];
      for (const [id, d, p, repo, reviewId] of findings) {
        await send(
          'pull_request_review_comment',
          reviewCommentPayload({ id, login: BOT, body: badge(p), at: at(d), repo, reviewId }),
        );
        gh.reactions.set(`pulls/${id}`, []);
      }
      await send(
        'issue_comment',
        issueCommentPayload({ id: 301, login: BOT, body: badge(1), at: at(3), repo: 'acme/web', pr: 4 }),
      );
      gh.reactions.set('issues/301', []);
      await send(
        'pull_request_review_comment',
        reviewCommentPayload({
          id: 501,
          login: 'bob',
          body: 'Fixed, thanks',
          at: at(6) + 5000,
          repo: 'acme/api',
          inReplyTo: 101,
        }),
      );
      gh.reactions.set('pulls/101', [
        { id: 1, content: '+1', login: 'alice' },
        { id: 2, content: '+1', login: 'bob' },
      ]);
      gh.reactions.set('pulls/104', [{ id: 3, content: '-1', login: 'carol' }]);
      gh.reactions.set('pulls/106', [
        { id: 4, content: '+1', login: 'dave' },
        { id: 5, content: 'rocket', login: 'erin' },
      ]);
      await pollReactionsOnce(t.store.db, t.config.github, { pausedUntil: 0 }, { now: () => Date.now(), perPage: 50 });
    });
    after(async () => {
      await t?.close();
      await gh?.close();
      fs.rmSync(sinkDir, { recursive: true, force: true });
    });

    it('Code Review: the tiles, the priorities and every repository equal the API', async () => {
      const { ctx, page, errors } = await open('owner@example.com', '/');
      await page.getByRole('link', { name: 'Code Review' }).click();
      await page.waitForURL(`${origin}/code-review`);
      await page.waitForSelector('[data-testid=repos]');
      const reviews = await analytics('code_reviews');
      const responses = await analytics('code_review_responses');
      const up = sum(responses, (r) => r.reaction_details.upvotes);
      const down = sum(responses, (r) => r.reaction_details.downvotes);
      assert.deepEqual(
        [sum(reviews, (r) => r.pull_request_reviews), sum(reviews, (r) => r.comments), up, down],
        [3, 8, 4, 1],
      );
      assert.equal(await tile(page, 'reviews'), int.format(sum(reviews, (r) => r.pull_request_reviews)));
      assert.equal(await tile(page, 'comments'), int.format(sum(reviews, (r) => r.comments)));
      assert.equal(
        await tile(page, 'high'),
        int.format(sum(reviews, (r) => r.comment_details.p0 + r.comment_details.p1)),
      );
      assert.equal(await tile(page, 'replies'), int.format(sum(responses, (r) => r.replies)));
      assert.equal(await tile(page, 'reactions'), int.format(sum(responses, (r) => r.reactions)));
      assert.equal(await tile(page, 'positive'), `${Math.round((100 * up) / (up + down))}%`);
      for (const [p, f] of [
        ['P0', 'p0'],
        ['P1', 'p1'],
        ['P2', 'p2'],
        ['P3', 'p3'],
        ['Unprioritized', 'unprioritized'],
      ])
        assert.equal(
          await page.locator(`[data-testid=priority-bars] li[data-key=${p}]`).getAttribute('data-value'),
          String(sum(reviews, (r) => r.comment_details[f])),
          p,
        );
      const byRepo = await analytics('code_reviews', 'repository');
      const respByRepo = await analytics('code_review_responses', 'repository');
      const repos = [...new Set(byRepo.map((r) => r.repository))];
      assert.deepEqual(repos.sort(), ['acme/api', 'acme/web']);
      assert.equal(await page.locator('[data-testid=repos] tbody tr').count(), repos.length);
      for (const repo of repos) {
        const of = byRepo.filter((r) => r.repository === repo);
        const rs = respByRepo.filter((r) => r.repository === repo);
        assert.equal(await cell(page, 'repos', repo, 'reviews'), int.format(sum(of, (r) => r.pull_request_reviews)));
        assert.equal(await cell(page, 'repos', repo, 'comments'), int.format(sum(of, (r) => r.comments)));
        assert.equal(await cell(page, 'repos', repo, 'p1'), int.format(sum(of, (r) => r.comment_details.p1)));
        assert.equal(await cell(page, 'repos', repo, 'replies'), int.format(sum(rs, (r) => r.replies)));
        assert.equal(
          await cell(page, 'repos', repo, 'upvotes'),
          int.format(sum(rs, (r) => r.reaction_details.upvotes)),
        );
      }
      // Sorting by a header: ascending by findings puts acme/web (3) before acme/api (5).
      await page.getByRole('button', { name: 'Findings' }).click();
      assert.equal(await page.locator('[data-testid=repos] tbody tr').first().getAttribute('data-key'), 'acme/web');
      assert.equal(await page.locator('canvas').count(), 2);
      await shot(page, 'code-review-light');
      await page.getByLabel('Weekly').check();
      await page.waitForFunction(() => document.querySelector('#findings-title')?.textContent?.includes('week'));
      assert.equal(await tile(page, 'comments'), int.format(sum(reviews, (r) => r.comments)));
      await page.getByRole('button', { name: 'Dark mode' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      await shot(page, 'code-review-dark');
      await accessible(page, 'Code Review, dark');
      assert.deepEqual(errors, []);
      await ctx.close();
    });

    it('Tools and skills: calls, failures, durations, decisions and MCP servers equal the API', async () => {
      const { ctx, page, errors } = await open('owner@example.com', '/');
      await page.goto(`${origin}/tools`);
      await page.waitForSelector('[data-testid=tools]');
      const rows = await analytics('tools');
      const mcp = await analytics('tools', 'mcp_server');
      const calls = sum(rows, (r) => r.calls);
      const failed = sum(rows, (r) => r.failed);
      assert.ok(calls >= 30 && failed > 0, `calls ${calls}, failed ${failed}`);
      assert.equal(await tile(page, 'calls'), int.format(calls));
      assert.equal(await tile(page, 'failure'), `${((100 * failed) / calls).toFixed(1)}%`);
      const avg = sum(rows, (r) => r.duration_ms) / sum(rows, (r) => r.timed_calls);
      assert.equal(await tile(page, 'avg'), `${Math.round(avg)} ms`);
      assert.equal(await tile(page, 'approved'), int.format(sum(rows, (r) => r.decisions.approved)));
      assert.equal(await tile(page, 'denied'), int.format(sum(rows, (r) => r.decisions.denied + r.decisions.aborted)));
      assert.equal(await tile(page, 'mcp'), int.format(sum(mcp, (r) => r.calls)));
      const names = [...new Set(rows.map((r) => r.tool_name))];
      assert.equal(await page.locator('[data-testid=tools] tbody tr').count(), names.length);
      for (const name of names) {
        const of = rows.filter((r) => r.tool_name === name);
        assert.equal(await cell(page, 'tools', name, 'calls'), int.format(sum(of, (r) => r.calls)), name);
        assert.equal(await cell(page, 'tools', name, 'failed'), int.format(sum(of, (r) => r.failed)), name);
        assert.equal(await cell(page, 'tools', name, 'denied'), int.format(sum(of, (r) => r.decisions.denied)), name);
      }
      const servers = [...new Set(mcp.map((r) => r.mcp_server))].sort();
      assert.deepEqual(servers, ['docs', 'github']);
      for (const s of servers)
        assert.equal(
          await cell(page, 'mcp', s, 'calls'),
          int.format(
            sum(
              mcp.filter((r) => r.mcp_server === s),
              (r) => r.calls,
            ),
          ),
        );
      assert.equal(
        await page.locator('[data-testid=decided-by] li[data-key=User]').getAttribute('data-value'),
        String(sum(rows, (r) => r.decided_by.user)),
      );
      // Skill invocations come from another read; a server without it leaves the panel out.
      const skills = await fetch(
        `${origin}/v1/analytics/codex/workspaces/${t.workspaceId}/skills?start_time=${start}&end_time=${end}&group=workspace`,
        { headers: headers() },
      );
      assert.equal(await page.locator('[data-testid=skills-panel]').count(), skills.status === 200 ? 1 : 0);
      if (skills.status === 200) {
        const per = new Map<string, number>();
        for (const r of (await skills.json()).data)
          for (const s of r.skills)
            per.set(`${s.skill_name} (${s.scope})`, (per.get(`${s.skill_name} (${s.scope})`) ?? 0) + s.invocations);
        assert.ok(per.size >= 1, 'the capture invokes a skill');
        assert.equal(await page.locator('[data-testid=skills] li').count(), per.size);
        for (const [k, n] of per)
          assert.equal(
            await page.locator(`[data-testid=skills] li[data-key="${k}"]`).getAttribute('data-value'),
            String(n),
            k,
          );
      }
      await shot(page, 'tools-light');
      assert.deepEqual(errors, []);
      await ctx.close();
    });

    it('Compliance: a security owner finds a prompt, opens its record, holds its thread, exports and verifies', async () => {
      const { ctx, page, errors } = await open('sec@example.com', '/compliance', 'dark');
      // The nav offers them Compliance only (the analytics pages answer their role 403).
      assert.deepEqual(await page.locator('nav[aria-label=Pages] a').allTextContents(), ['Compliance']);
      await page.getByLabel('Text in the record').fill('ide run');
      await page.getByRole('button', { name: 'Search' }).click();
      const found = await api(`/v1/compliance/workspaces/${t.workspaceId}/search?q=ide%20run&order=desc&limit=50`);
      assert.ok(found.data.length >= 1);
      await page.waitForSelector('[data-testid=results]');
      assert.equal(await page.locator('[data-testid=results] li').count(), found.data.length);
      const prompt = found.data.find((r: any) => r.content?.kind === 'prompt');
      assert.ok(prompt, 'a prompt record matches');
      await page.locator('[data-testid=results] button', { hasText: 'ide run: run echo hi' }).first().click();
      const view = page.locator('[data-testid=record-view]');
      assert.match((await view.locator('[data-testid=record-content]').textContent())!, /ide run: run echo hi/);
      assert.match((await view.textContent())!, new RegExp(prompt.hash));
      await shot(page, 'compliance-search-dark');
      await accessible(page, 'Compliance search and record');

      // All records of that thread, then a hold on it, released again.
      await view.getByRole('button', { name: 'All records of this thread' }).click();
      const thread = await api(
        `/v1/compliance/workspaces/${t.workspaceId}/search?thread_id=${prompt.thread_id}&limit=50`,
      );
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=results] li').length === n,
        thread.data.length,
      );
      await page.locator('[data-testid=results] button').first().click();
      await page.getByRole('button', { name: 'Hold this thread' }).click();
      await page.getByLabel('Reason').fill('matter 42');
      await page.getByRole('button', { name: 'Place hold' }).click();
      await page.waitForSelector('[data-testid=holds] tr[data-active=true]');
      const holds = (await api(`/v1/compliance/workspaces/${t.workspaceId}/holds`)).data;
      assert.equal(holds.length, 1);
      assert.deepEqual([holds[0].thread_id, holds[0].reason, holds[0].active], [prompt.thread_id, 'matter 42', true]);
      await shot(page, 'compliance-holds-dark');
      await page.getByRole('button', { name: /Release the hold/ }).click();
      await page.waitForSelector('[data-testid=holds] tr[data-active=false]');
      assert.equal((await api(`/v1/compliance/workspaces/${t.workspaceId}/holds?active=true`)).data.length, 0);

      // Export: the newest CODEX_LOG file downloads as the API serves it.
      await page.getByRole('tab', { name: 'Export' }).click();
      const files = (await api(`/v1/compliance/workspaces/${t.workspaceId}/logs?event_type=CODEX_LOG&limit=1000`)).data;
      await page.waitForSelector('[data-testid=log-files]');
      assert.equal(await page.locator('[data-testid=log-files] li').count(), Math.min(50, files.length));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid=log-files] a').first().click(),
      ]);
      const got = fs.readFileSync((await download.path())!, 'utf8');
      const want = await (await fetch(`${origin}${files[files.length - 1].url}`, { headers: headers() })).text();
      assert.equal(got, want);
      assert.ok(got.split('\n').filter(Boolean).length > 0);

      // Integrity: the verification's figures and the sink's lag, as the API gives them.
      await page.getByRole('tab', { name: 'Integrity and sinks' }).click();
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.waitForSelector('[data-testid=verify] .status');
      const verified = await api(`/v1/compliance/workspaces/${t.workspaceId}/verify`);
      const status = (await page.locator('[data-testid=verify] .status').textContent())!;
      assert.ok(verified.ok);
      assert.match(status, /^Intact/);
      // The API's own verify ran after the page's (and audited nothing new): the same record count.
      assert.match(status, new RegExp(`${int.format(verified.records)} records checked`));
      const sinks = (await api(`/v1/compliance/workspaces/${t.workspaceId}/sinks`)).data;
      const row = page.locator('[data-testid=sinks] tbody tr');
      assert.equal(await row.count(), 1);
      assert.equal(await row.locator('td').nth(1).textContent(), int.format(sinks[0].lag));
      await shot(page, 'compliance-integrity-dark');
      // The download is on the record as this person's export.
      const audit = await api(
        `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=AUDIT_LOG&order=desc&limit=100`,
      );
      const exports = audit.data.filter((r: any) => r.content.action === 'compliance.exported');
      assert.ok(
        exports.some((r: any) => r.content.actor.type === 'user' && r.content.actor.id === secId),
        JSON.stringify(exports.map((r: any) => r.content.actor)),
      );
      assert.deepEqual(errors, []);
      await ctx.close();
    });

    it('an analytics viewer is offered no Compliance page, is refused it, and so is their session by the API', async () => {
      const { ctx, page } = await open('viewer@example.com', '/');
      const nav = await page.locator('nav[aria-label=Pages] a').allTextContents();
      assert.ok(nav.includes('Code Review') && nav.includes('Tools and skills'), nav.join());
      assert.ok(!nav.includes('Compliance'));
      await page.goto(`${origin}/compliance`);
      await page.waitForSelector('[data-testid=refused]');
      assert.equal(await page.locator('[data-testid=results], [data-testid=holds]').count(), 0);
      const status = await page.evaluate(
        async (ws) => (await fetch(`/v1/compliance/workspaces/${ws}/search?q=run`)).status,
        t.workspaceId,
      );
      assert.equal(status, 403);
      await shot(page, 'compliance-refused');
      await ctx.close();
    });
  });
}

// GET .../tools on both databases: tool calls built from a real capture's decision and result
// records, sent apart, reversed, together, replayed and from a second copy, against sums computed
// here from the calls themselves; week rows equal their days; paging; 422 for an unknown group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { otlpOf, type ToolCallSpec, toolRecords, toolTruth } from '../support/tool-calls.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const dayOf = (ms: number) => Math.floor(ms / DAY);

// Four days, three tools (one of them MCP, once named by the session-file convention), every decision kind.
const CALLS: ToolCallSpec[] = [];
const tools = ['exec_command', 'apply_patch', 'search', 'mcp__github__get_issue'];
const decisions = ['approved', 'approved_for_session', 'denied', 'abort', undefined];
for (let i = 0; i < 24; i++) {
  const decision = decisions[i % decisions.length];
  const tool = tools[i % tools.length];
  CALLS.push({
    callId: `call_${i}`,
    tool,
    at: today - (i % 4) * DAY - 7200_000 + i * 1000,
    decision,
    source: i % 3 === 0 ? 'User' : 'Config',
    // A denied or aborted call never runs: no result record.
    success: decision === 'denied' || decision === 'abort' ? undefined : i % 5 !== 1,
    durationMs: 40 + i * 13,
    mcpServer: tool === 'search' ? 'docs' : undefined,
  });
}
const mcpOf = (c: ToolCallSpec) =>
  c.success === undefined ? null : (c.mcpServer ?? (c.tool.startsWith('mcp__') ? c.tool.split('__')[1] : null));

for (const dialect of DIALECTS) {
  describe(`tool calls analytics API (${dialect})`, () => {
    let t: TestApp;
    let key: string;
    let analyticsKey: string;
    const post = async (records: any[]) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(otlpOf(records)),
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const get = async (q: string) => {
      const r = await t.app.inject({
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/tools?${q}`,
        headers: { authorization: `Bearer ${analyticsKey}` },
      });
      return { status: r.statusCode, body: r.json() };
    };
    const window = `start_time=${(today - 10 * DAY) / 1000}&end_time=${(today + DAY) / 1000}`;

    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
      analyticsKey = await t.key(['codex.enterprise.analytics.read']);
      const [a, b, c] = [CALLS.slice(0, 8), CALLS.slice(8, 16), CALLS.slice(16)];
      await post(toolRecords(a, 'decision')); // decisions first, results in a later request
      await post(toolRecords(a, 'result'));
      await post(toolRecords(b, 'result')); // results first
      await post(toolRecords(b, 'decision'));
      await post(toolRecords(c)); // both in one request
      await post(toolRecords(c)); // a replay adds nothing
      await post([...toolRecords(a, 'result'), ...toolRecords(b)]); // nor does a copy of known parts
    });
    after(() => t?.close());

    it('counts each call, result and decision once, per day and tool, as the calls say', async () => {
      const { status, body } = await get(`${window}&limit=1000`);
      assert.equal(status, 200, JSON.stringify(body));
      const want = toolTruth(CALLS, (c) => `${dayOf(c.at)} ${c.tool}`);
      assert.equal(body.data.length, want.size);
      assert.equal(body.has_more, false);
      for (const r of body.data) {
        const w = want.get(`${r.start_time / 86400} ${r.tool_name}`)!;
        assert.ok(w, `${r.start_time} ${r.tool_name}`);
        const timed = w.calls;
        assert.deepEqual(
          {
            calls: r.calls,
            succeeded: r.succeeded,
            failed: r.failed,
            duration_ms: r.duration_ms,
            timed_calls: r.timed_calls,
            avg: r.avg_duration_ms,
            ...r.decisions,
            user: r.decided_by.user,
            config: r.decided_by.config,
          },
          {
            calls: w.calls,
            succeeded: w.succeeded,
            failed: w.failed,
            duration_ms: w.duration_ms,
            timed_calls: timed,
            avg: timed ? Math.round(w.duration_ms / timed) : null,
            approved: w.approved,
            denied: w.denied,
            aborted: w.aborted,
            user: w.by_user,
            config: w.by_config,
          },
          `${r.start_time} ${r.tool_name}`,
        );
        assert.equal(r.end_time - r.start_time, 86400);
      }
    });

    it('week rows are the sums of their days; MCP rows per server', async () => {
      const weeks = (await get(`${window}&group_by=week`)).body.data;
      const days = (await get(window)).body.data;
      const sum = new Map<string, number>();
      for (const d of days) {
        const w = weeks.find(
          (x: any) => x.tool_name === d.tool_name && x.start_time <= d.start_time && d.start_time < x.end_time,
        );
        assert.ok(w, `a week holds ${d.start_time}`);
        const k = `${w.start_time} ${d.tool_name}`;
        sum.set(k, (sum.get(k) ?? 0) + d.calls);
      }
      assert.equal(weeks.length, sum.size);
      for (const w of weeks) {
        assert.equal(w.calls, sum.get(`${w.start_time} ${w.tool_name}`));
        assert.equal(new Date(w.start_time * 1000).getUTCDay(), 1, 'weeks start on Monday');
      }
      const mcp = (await get(`${window}&group=mcp_server&group_by=week`)).body.data;
      const want = toolTruth(CALLS, mcpOf);
      const got = new Map<string, number>();
      for (const r of mcp) got.set(r.mcp_server, (got.get(r.mcp_server) ?? 0) + r.calls);
      assert.deepEqual(Object.fromEntries(got), Object.fromEntries([...want].map(([k, v]) => [k, v.calls])));
      assert.deepEqual([...got.keys()].sort(), ['docs', 'github']);
    });

    it('pages in key order without gaps or repeats; refuses an unknown group', async () => {
      const all = (await get(window)).body.data;
      const seen: any[] = [];
      let page = '';
      do {
        const { body } = await get(`${window}&limit=3${page ? `&page=${page}` : ''}`);
        assert.ok(body.data.length <= 3);
        seen.push(...body.data);
        page = body.has_more ? body.next_page : '';
      } while (page);
      assert.deepEqual(seen, all);
      const bad = await get(`${window}&group=model`);
      assert.equal(bad.status, 422);
      assert.equal(bad.body.detail[0].loc.at(-1), 'group');
      const unknown = await get(`${window}&tool=x`);
      assert.equal(unknown.status, 422);
      assert.match(JSON.stringify(unknown.body.detail), /tool/);
    });
  });
}

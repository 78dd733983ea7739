// GET .../tools at scale: tool rollups of 90 days x 60 tools and 12 MCP servers in the measured
// workspace, beside 100 other workspaces of the same size (660,000 day rows in tool_calls_day), on
// SQLite and PostgreSQL, through the real app (auth, validation, query, JSON). The rows are
// written straight into the rollups (what the ingest keeps there is tested in
// test/http/tools-api.http.test.ts; its cost on the ingest is ingest.bench.ts's).
// Run: node --import tsx bench/tools.bench.ts [--dialect sqlite|postgres] [--iterations N]
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import { dayOf } from '../src/core/time.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { insertRows } from '../src/platform/storage/bulk-insert.js';
import type { DialectName } from '../src/platform/storage/database.js';
import { MCP_COUNTERS, TOOL_COUNTERS } from '../src/core/tool-rollups.js';
import { prng, stats } from './support/prng.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: { dialect: { type: 'string' }, iterations: { type: 'string', default: '200' } },
});
const ITER = Number(values.iterations);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const TOOLS = Array.from({ length: 60 }, (_, i) => (i < 12 ? `mcp__server${i}__tool` : `tool_${i}`));
const SERVERS = Array.from({ length: 12 }, (_, i) => `server${i}`);
const spec = (table: string, key: string, counters: readonly string[]) => ({
  table,
  columns: ['workspace_id', 'bucket', key, ...counters],
});

for (const dialect of dialects) {
  const store = await benchStore(dialect, 'tools');
  const workspaceId = (await ensureBootstrapped(store.db)).workspace.id;
  const rnd = prng(20261203);
  const today = dayOf(Date.now());
  const t0 = performance.now();
  let rows = 0;
  for (const ws of [workspaceId, ...Array.from({ length: 100 }, (_, i) => `other-${i}`)]) {
    const tools: Record<string, unknown>[] = [];
    const mcp: Record<string, unknown>[] = [];
    for (let d = 0; d < 90; d++) {
      for (const tool_name of TOOLS) {
        const calls = Math.floor(rnd() * 500);
        const failed = Math.floor(calls * rnd() * 0.2);
        tools.push({
          workspace_id: ws,
          bucket: today - d,
          tool_name,
          ...Object.fromEntries(TOOL_COUNTERS.map((c) => [c, Math.floor(rnd() * 100)])),
          calls,
          failed,
          succeeded: calls - failed,
          duration_ms: calls * 300,
          timed_calls: calls,
        });
      }
      for (const mcp_server of SERVERS)
        mcp.push({
          workspace_id: ws,
          bucket: today - d,
          mcp_server,
          ...Object.fromEntries(MCP_COUNTERS.map((c) => [c, Math.floor(rnd() * 100)])),
        });
    }
    await insertRows(store.db, spec('tool_calls_day', 'tool_name', TOOL_COUNTERS), tools);
    await insertRows(store.db, spec('tool_mcp_day', 'mcp_server', MCP_COUNTERS), mcp);
    rows += tools.length;
  }
  console.log(`[${dialect}] ${rows} tool day rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { app } = await buildApp({ store, config: configSchema.parse({}) });
  await app.ready();
  const { secret } = await createKey(
    store.db,
    { workspaceId, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  );
  const start = (today - 89) * 86_400;
  const get = async (q: string) => {
    const t = performance.now();
    const r = await app.inject({
      url: `/v1/analytics/codex/workspaces/${workspaceId}/tools?start_time=${start}&limit=30000&${q}`,
      headers: { authorization: `Bearer ${secret}` },
    });
    const ms = performance.now() - t;
    if (r.statusCode !== 200) throw new Error(`${q}: ${r.statusCode} ${r.body}`);
    return { ms, n: r.json().data.length };
  };
  for (let i = 0; i < 20; i++) await get('');
  for (const [label, q] of [
    ['90 days, daily, per tool', 'group_by=day'],
    ['90 days, weekly, per tool', 'group_by=week'],
    ['90 days, daily, per MCP server', 'group=mcp_server'],
    ['90 days, weekly, per MCP server', 'group=mcp_server&group_by=week'],
  ] as const) {
    const s: number[] = [];
    let n = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < ITER; i++) {
      const r = await get(q);
      s.push(r.ms);
      n = r.n;
    }
    const cpu = process.cpuUsage(cpu0);
    // CPU of this process per request (SQLite runs in it; PostgreSQL's own CPU is not counted).
    const cpuMs = ((cpu.user + cpu.system) / 1000 / ITER).toFixed(1);
    console.log(`[${dialect}] ${label}: ${n} rows, ${JSON.stringify(stats(s))} ms, CPU ${cpuMs} ms per request`);
  }
  await app.close();
  await store.close?.();
}

// Steward watching itself, both databases: a listening server's /metrics exports every metric the
// Grafana dashboard (docs/grafana/steward.json) queries, and the main ones (the read
// replica's only with database_read_url: exported then, and their panels say so when absent); after one real
// capture is ingested the values agree with the store (chain head) and with what was sent (one
// acknowledgement, one group); /metrics takes a bearer token when server.metrics_token_sha256 is
// set; every reply carries its request id, which every log line of the request names.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app/app.js';
import { configSchema } from '../../src/config/schema.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { makeApp, type TestApp } from '../support/app.js';
import { loadOtlp, records, shiftTimes } from '../support/otlp.js';
import { openStore } from '../../src/platform/storage/database.js';
import { freePort } from '../support/pg-replica.js';
import { DIALECTS, makeStore, PG_URL } from '../support/stores.js';

const DASHBOARD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/grafana/steward.json');
// The list: ingested and rejected records, refusals, queue depth, ack latency, writer
// groups, sink lag and dead letters, database pool, chain head per workspace.
const MAIN = [
  'steward_ingest_records_total',
  'steward_ingest_rejected_records_total',
  'steward_ingest_refused_total',
  'steward_ingest_batches_in_flight',
  'steward_ingest_writer_queue_batches',
  'steward_ingest_ack_seconds',
  'steward_ingest_writer_group_batches',
  'steward_ingest_writer_group_events',
  'steward_sink_lag_records',
  'steward_sink_dead_letters',
  'steward_db_pool_connections',
  'steward_compliance_chain_head_seq',
];

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  fieldConfig?: { defaults?: { noValue?: string } };
  panels?: Panel[];
}

// Each panel's queries, collapsed rows' panels included.
function dashboardQueries(): { panel: Panel; expr: string }[] {
  const out: { panel: Panel; expr: string }[] = [];
  const walk = (panels: Panel[] = []): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')).panels);
  return out;
}

// Whether /metrics (its # TYPE lines) has the series a query names: the metric, or a histogram's part.
const exports = (types: Map<string, string>, n: string) => {
  const base = n.replace(/_(bucket|sum|count)$/, '');
  return types.has(n) || (types.get(base) === 'histogram' && base !== n);
};

// What a server without database_read_url does not export, and only a replica's panels may query.
const REPLICA_ONLY = /^steward_read_replica_/;

// Metric names in PromQL: identifiers outside label matchers and strings that name a series.
function metricNames(expr: string): Set<string> {
  const bare = expr.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '');
  return new Set(bare.match(/\bsteward_[a-zA-Z0-9_]+/g) ?? []);
}

// "# TYPE name kind" lines of the exposition: every metric registered, with or without samples.
function exported(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

for (const dialect of DIALECTS)
  describe(`/metrics: what Steward reports about itself (${dialect})`, () => {
    let t: TestApp;
    let origin: string;
    let ingest: string;
    const token = crypto.randomBytes(16).toString('hex');
    before(async () => {
      t = await makeApp(dialect, {
        server: { metrics_token_sha256: crypto.createHash('sha256').update(token).digest('hex') },
        compliance: { sinks: [{ name: 'siem', type: 'file', path: '/dev/null', enabled: false }] },
      });
      await t.user('dev@example.com');
      ingest = await t.key(['ingest.write'], 'dev@example.com');
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(() => t.close());
    const metrics = async (auth = `Bearer ${token}`) =>
      fetch(`${origin}/metrics`, { headers: { authorization: auth } });

    it('exports every metric the Grafana dashboard queries, and the main ones are in the dashboard', async () => {
      const payload = shiftTimes(loadOtlp('exec-json.otel-logs.json'), Date.now() - 60_000);
      const sent = [...records(payload)].length;
      const r = await fetch(`${origin}/v1/logs`, {
        method: 'POST',
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest}` },
      });
      assert.equal(r.status, 200, await r.text());
      await t.ctx.auth.settle(); // the key's first use is an audit record written beside the request
      const res = await metrics();
      assert.equal(res.status, 200);
      const text = await res.text();
      const types = exported(text);
      const used = new Set<string>();
      for (const { expr } of dashboardQueries()) for (const n of metricNames(expr)) used.add(n);
      assert.ok(used.size >= 15, [...used].join(' '));
      for (const n of used) {
        if (REPLICA_ONLY.test(n)) assert.ok(!types.has(n), `${n} is exported without a replica`);
        else assert.ok(exports(types, n), `the dashboard queries ${n}, which /metrics does not export`);
      }
      for (const n of MAIN) {
        assert.ok(types.has(n), `/metrics exports ${n}`);
        assert.ok(
          [...used].some((u) => u === n || u.replace(/_(bucket|sum|count)$/, '') === n),
          `the dashboard shows ${n}`,
        );
      }
      // Values, against the store and what was sent.
      const head = await t.store.db
        .selectFrom('compliance_heads')
        .select('seq')
        .where('workspace_id', '=', t.workspaceId)
        .executeTakeFirstOrThrow();
      assert.equal(
        sample(text, 'steward_compliance_chain_head_seq', `workspace_id="${t.workspaceId}"`),
        Number(head.seq),
      );
      assert.equal(
        sample(text, 'steward_sink_lag_records', `workspace_id="${t.workspaceId}",sink="siem"`),
        Number(head.seq),
      );
      // Nothing indexed yet: the whole chain is past the search index.
      assert.equal(
        sample(text, 'steward_compliance_search_unindexed_records', `workspace_id="${t.workspaceId}"`),
        Number(head.seq),
      );
      assert.equal(sample(text, 'steward_ingest_ack_seconds_count', 'source="otlp"'), 1);
      assert.equal(Number(/^steward_ingest_writer_group_batches_count (\S+)$/m.exec(text)?.[1]), 1);
      const accepted = sample(text, 'steward_ingest_records_total', 'source="otlp",outcome="accepted"');
      const rejected = sample(text, 'steward_ingest_records_total', 'source="otlp",outcome="rejected"') || 0;
      assert.equal(accepted + rejected, sent);
      assert.equal(/^steward_ingest_batches_in_flight (\S+)$/m.exec(text)?.[1], '0');
      if (dialect === 'postgres') assert.ok(sample(text, 'steward_db_pool_connections', 'state="total"') >= 1);
    });

    it('wants the bearer token whose hash the config holds', async () => {
      assert.equal((await metrics('')).status, 401);
      assert.equal((await metrics('Bearer wrong')).status, 401);
      assert.equal((await metrics(`Bearer ${token}`)).status, 200);
    });
  });

// The read replica's panels (decisions/0055): a server with database_read_url exports every name they
// query, with the values of its state; without one the series are absent and the panels say why.
describe('/metrics with a read replica (postgres)', { skip: !DIALECTS.includes('postgres') }, () => {
  const scrape = async (app: Awaited<ReturnType<typeof buildApp>>['app']) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return { types: exported(text), value };
  };
  const withReplica = async (readUrl: string, f: (t: Awaited<ReturnType<typeof buildApp>>) => Promise<void>) => {
    const base = await makeStore('postgres');
    const store = openStore({ ...base.reopen, databaseReadUrl: readUrl, readRetryMs: 60_000 });
    const built = await buildApp({
      store,
      config: configSchema.parse({ database_url: PG_URL, database_read_url: readUrl }),
    });
    try {
      await f(built);
    } finally {
      await built.app.close();
      await store.close();
      await base.cleanup();
    }
  };

  it('exports every replica metric the dashboard queries; their panels are labelled for a server without one', async () => {
    const replicaQueries = dashboardQueries().filter(({ expr }) =>
      [...metricNames(expr)].some((n) => REPLICA_ONLY.test(n)),
    );
    const names = new Set(replicaQueries.flatMap(({ expr }) => [...metricNames(expr)]));
    assert.ok(names.has('steward_read_replica_lag_seconds') && names.has('steward_read_replica_fallback_reads_total'));
    for (const { panel } of replicaQueries)
      assert.match(panel.fieldConfig?.defaults?.noValue ?? '', /database_read_url/, `panel "${panel.title}"`);
    // The "replica" is the primary itself: reachable, and as current as it gets.
    await withReplica(PG_URL, async ({ app }) => {
      const m = await scrape(app);
      for (const n of names)
        assert.ok(exports(m.types, n), `the dashboard queries ${n}, which /metrics does not export`);
      assert.equal(m.value('steward_read_replica_up'), 1);
      assert.equal(m.value('steward_read_replica_lag_seconds'), 0);
      assert.equal(m.value('steward_read_replica_fallback_reads_total'), 0);
    });
  });

  it('a replica nobody listens on: down, its lag unknown, each analytics read counted as answered by the primary', async () => {
    const port = await freePort();
    await withReplica(`postgres://postgres@127.0.0.1:${port}/postgres`, async ({ app, ctx }) => {
      const boot = await ensureBootstrapped(ctx.store.db);
      const owner = boot.ownerKey!.secret;
      const ws = boot.workspace.id;
      for (let i = 0; i < 3; i++) {
        const r = await app.inject({
          method: 'GET',
          url: `/v1/analytics/codex/workspaces/${ws}/usage?group=workspace`,
          headers: { authorization: `Bearer ${owner}` },
        });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.headers['x-steward-replica-fallback'], 'unreachable');
      }
      const m = await scrape(app);
      assert.equal(m.value('steward_read_replica_up'), 0);
      assert.ok(Number.isNaN(m.value('steward_read_replica_lag_seconds')));
      assert.ok(m.types.has('steward_read_replica_lag_seconds'));
      assert.ok(m.value('steward_read_replica_fallback_reads_total') >= 3);
    });
  });
});

describe('request ids', () => {
  it('every reply carries one (the caller’s if plausible), and every log line of the request names it', async () => {
    const store = await makeStore(DIALECTS[0]!);
    await ensureBootstrapped(store.db);
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const { app } = await buildApp({ store, config: configSchema.parse({}), logger: { level: 'info', stream } });
    try {
      const given = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.1' } });
      assert.equal(given.headers['x-request-id'], 'lb-7f3a.1');
      const odd = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
      const made = String(odd.headers['x-request-id']);
      assert.match(made, /^[0-9a-f-]{36}$/);
      const refused = await app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(refused.statusCode, 401);
      assert.ok(refused.headers['x-request-id']);
      const missing = await app.inject({ method: 'GET', url: '/v1/nothing' });
      const ids = [given.headers['x-request-id'], made, missing.headers['x-request-id']];
      for (const id of ids)
        assert.ok(
          lines.some((l) => l.reqId === id),
          `a log line names ${id}`,
        );
      const perRequest = lines.filter((l) => l.req !== undefined || l.res !== undefined);
      assert.ok(perRequest.length >= 3 && perRequest.every((l) => typeof l.reqId === 'string'));
    } finally {
      await app.close();
      await store.cleanup();
    }
  });
});

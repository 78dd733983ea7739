// Three `steward serve` on one PostgreSQL database (issue 15, decisions/0039): they start together on
// the empty database, take overlapping retries of the same real OTLP captures on different nodes,
// and run retention, checkpoints and a SIEM sink with periods of under two seconds. At the end the
// Analytics API equals the captures' ground truth once, verify passes, each periodic job ran once
// per period across the nodes (counted from its own records, not only from job_runs), and the sink
// received every chain record once.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { hecReceiver, until } from '../support/siem-receivers.js';
import { loadOtlp, shiftTimes, truthOf } from '../support/otlp.js';
import { cli, startNode, type Node } from './support/nodes.js';
import { DIALECTS, PG_URL, pgUrlWithDatabase } from './support/steward.js';

const CAPTURES = [
  'appserver-vscode.otel-logs.json',
  'auth-apikey.otel-logs.json',
  'auth-chatgpt.otel-logs.json',
  'exec-json.otel-logs.json',
  'exec-resume.otel-logs.json',
  'review.otel-logs.json',
  'tui.otel-logs.json',
];
const PERIOD_MS = 1440; // retention interval_hours 0.0004, checkpoint_interval_minutes 0.024

it('three nodes on one PostgreSQL: retries across nodes count once, jobs run once per period', {
  skip: !DIALECTS.includes('postgres') && 'PostgreSQL is not among STEWARD_TEST_DIALECTS',
  timeout: 90_000,
}, async () => {
  // A database of its own, not a schema: migrations introspect every schema of their database, and
  // other suites drop theirs meanwhile.
  const database = `steward_e2e_nodes_${crypto.randomBytes(5).toString('hex')}`;
  const server = new pg.Client({ connectionString: PG_URL });
  await server.connect();
  await server.query(`create database ${database}`);
  const admin = new pg.Client({ connectionString: pgUrlWithDatabase(database) });
  await admin.connect();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-nodes-'));
  const hec = await hecReceiver('hec-token');
  const nodes: Node[] = [];
  try {
    const url = pgUrlWithDatabase(database);
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const keyFile = path.join(root, 'signing.pem');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const toml = [
      '[compliance]',
      `checkpoint_interval_minutes = ${PERIOD_MS / 60_000}`,
      `signing_key_file = "${keyFile}"`,
      '[compliance.retention]',
      `interval_hours = ${PERIOD_MS / 3_600_000}`,
      '[[compliance.sinks]]',
      'name = "hec"',
      'type = "splunk_hec"',
      `url = "${hec.url}"`,
      'token = "hec-token"',
      'retry_initial_ms = 50',
    ].join('\n');
    fs.writeFileSync(path.join(root, 'steward.toml'), toml);
    const store = ['--database-url', url, '--config', path.join(root, 'steward.toml')];
    const dirs = [0, 1, 2].map((i) => fs.mkdirSync(path.join(root, `node${i}`), { recursive: true })!);

    // All three at once on the empty database: one workspace and one owner key between them.
    const t0 = Date.now();
    nodes.push(...(await Promise.all(dirs.map((d) => startNode(store, d)))));
    const workspaces = new Set(nodes.map((n) => n.banner.workspace_id));
    assert.equal(workspaces.size, 1, `nodes serve different workspaces: ${[...workspaces]}`);
    const owners = nodes.map((n) => n.banner.owner_key).filter((k) => k !== null);
    assert.equal(owners.length, 1, 'exactly one start makes the owner key');
    const ws = nodes[0].banner.workspace_id;
    const owner = owners[0]!.secret;
    // Through the admin API of two different nodes (a CLI process per call costs seconds here).
    const adminPost = async (node: Node, what: string, body: unknown) => {
      const r = await fetch(`${node.url}/v1/admin/workspaces/${ws}/${what}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as any;
    };
    await adminPost(nodes[1], 'users', { email: 'dev@example.com' });
    const key = (await adminPost(nodes[2], 'keys', { scopes: ['ingest.write'], user: 'dev@example.com' })).secret;

    // Each capture moved into the last hour; every batch goes to all three nodes at once, then is
    // "retried" on the next node after its acknowledgement (an exporter whose answer was lost).
    const base = Date.now() - 50 * 60_000;
    const payloads = CAPTURES.map((f, i) => shiftTimes(loadOtlp(f), base + i * 60_000));
    const post = async (node: Node, body: string) => {
      for (;;) {
        const r = await fetch(`${node.url}/v1/logs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        await r.arrayBuffer();
        if (r.status === 200) return;
        assert.ok([429, 503].includes(r.status), `node answered ${r.status}`);
        await new Promise((ok) => setTimeout(ok, 1000 * Math.min(Number(r.headers.get('retry-after')) || 1, 2)));
      }
    };
    await Promise.all(
      payloads.map(async (p, i) => {
        const body = JSON.stringify(p);
        await Promise.all(nodes.map((n) => post(n, body)));
        await post(nodes[(i + 1) % nodes.length], body);
      }),
    );

    const truth = truthOf(payloads);
    const r = await fetch(`${nodes[2].url}/v1/analytics/codex/workspaces/${ws}/usage?group=workspace&limit=1000`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    assert.equal(r.status, 200);
    const got = { input: 0, cached: 0, output: 0, reasoning: 0 };
    for (const row of ((await r.json()) as any).data) {
      got.input += row.totals.uncached_text_input_tokens + row.totals.cached_text_input_tokens;
      got.cached += row.totals.cached_text_input_tokens;
      got.output += row.totals.text_output_tokens;
      got.reasoning += row.totals.reasoning_output_tokens;
    }
    assert.ok(truth.input > 0);
    const want = { input: truth.input, cached: truth.cached, output: truth.output, reasoning: truth.reasoning };
    assert.deepEqual(got, want);

    // Let at least three periods of each job pass, and the sink catch up with the chain.
    const q = async (text: string) => (await admin.query(text)).rows;
    await until(
      'three retention periods',
      async () => (await q(`select count(distinct run_id)::int as n from compliance_purges`))[0].n >= 3,
      20_000,
    );
    const chained = async () =>
      (await q(`select id from compliance_records where workspace_id = '${ws}' order by seq`)).map((x: any) => x.id);
    let caughtUp = 0;
    await until(
      'the sink has every record',
      async () => hec.ids.filter((id) => !id.startsWith('checkpoint-')).length >= (caughtUp = (await chained()).length),
      10_000,
    );
    const codes = await Promise.all(nodes.map((n) => n.stop()));
    const t1 = Date.now();
    assert.deepEqual(codes, [0, 0, 0], nodes.map((n) => n.stderr().slice(-2000)).join('\n'));
    const periods = Math.floor(t1 / PERIOD_MS) - Math.floor(t0 / PERIOD_MS) + 1;

    // Retention: its own records (cutoffs per run and the AUDIT_LOG retention.run entry) show how
    // often it ran; never twice in one period, whichever nodes took turns.
    const runs = (
      await q(`select count(distinct run_id)::int as n from compliance_purges where workspace_id = '${ws}'`)
    )[0].n;
    const jobRows = await q(`select period, node, finished_at from job_runs where job = 'compliance.retention'`);
    assert.equal(runs, jobRows.length, 'one retention run per job_runs row');
    assert.ok(runs >= 3 && runs <= periods, `${runs} retention runs in ${periods} periods`);
    assert.ok(jobRows.every((j: any) => j.finished_at !== null));
    const audited = (await q(`select count(*)::int as n from compliance_records where event_type = 'AUDIT_LOG'`))[0].n;
    assert.ok(audited >= runs);

    // Checkpoints: at most one per period, never two at the same head.
    const cps = await q(`select seq from compliance_checkpoints where workspace_id = '${ws}'`);
    assert.ok(cps.length >= 1 && cps.length <= periods, `${cps.length} checkpoints in ${periods} periods`);
    assert.equal(new Set(cps.map((c: any) => c.seq)).size, cps.length, 'two checkpoints of one head');

    // The sink: every chain record once and in order (one node holds each workspace's lease at a
    // time); records the nodes appended after it caught up (their last job runs) may be still unsent.
    const sent = hec.ids.filter((id) => !id.startsWith('checkpoint-'));
    assert.ok(sent.length >= caughtUp, `${sent.length} of ${caughtUp} records sent`);
    assert.deepEqual(sent, (await chained()).slice(0, sent.length));

    const verify = await cli(['compliance', 'verify', ...store], root);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  } finally {
    await Promise.all(nodes.map((n) => n.stop().catch(() => null)));
    await hec.close();
    await admin.end();
    await server.query(`drop database if exists ${database} with (force)`);
    await server.end();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

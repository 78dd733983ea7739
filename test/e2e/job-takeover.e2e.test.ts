// A `steward serve` killed in the middle of a retention run, a second node on the same PostgreSQL
// taking the run over once its lease ([server] job_lease_seconds = 2) has run out (decisions/0062,
// 0067). Retention removes old content in batches of 5,000, each with the chained record that
// explains it, so its progress can be watched in the archive: the node running it is SIGKILLed
// after its first batch, and at the end every old record's content is gone, each removed seq is
// explained by exactly one removal record (none by both runs), the period's row is the survivor's,
// and verify passes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { until } from '../support/siem-receivers.js';
import { synthPayload } from '../support/otlp.js';
import { cli, startNode, type Node } from './support/nodes.js';
import { DIALECTS, PG_URL, pgUrlWithDatabase } from './support/steward.js';

const PERIOD_MS = 20_000; // retention's period: ticks every 5 s, the first 20 s after start
const LEASE_S = 2;
const OLD = 40_000; // prompts 40 days old: eight batches of row deletes (no day partition holds them)
const PER_REQUEST = 4_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a node SIGKILLed mid-retention: another node takes the period over after the lease, the work done once', {
  skip: !DIALECTS.includes('postgres') && 'PostgreSQL is not among STEWARD_TEST_DIALECTS',
  timeout: 120_000,
}, async (t) => {
  const database = `steward_e2e_takeover_${crypto.randomBytes(5).toString('hex')}`;
  const server = new pg.Client({ connectionString: PG_URL });
  await server.connect();
  await server.query(`create database ${database}`);
  const admin = new pg.Client({ connectionString: pgUrlWithDatabase(database) });
  await admin.connect();
  const q = async (text: string, values: unknown[] = []) => (await admin.query(text, values)).rows;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-takeover-'));
  const nodes: Node[] = [];
  try {
    const url = pgUrlWithDatabase(database);
    const toml = (retentionMs: number) => {
      const f = path.join(root, `steward-${retentionMs}.toml`);
      const lines = [
        '[server]',
        `job_lease_seconds = ${LEASE_S}`,
        '[compliance]',
        'checkpoint_interval_minutes = 0',
        'search_index_interval_seconds = 0',
        '[compliance.retention]',
        `interval_hours = ${retentionMs / 3_600_000}`,
      ];
      fs.writeFileSync(f, lines.join('\n'));
      return ['--database-url', url, '--config', f];
    };
    const dir = (name: string) => fs.mkdirSync(path.join(root, name), { recursive: true })!;

    // The old records first, through a node without retention, so the run starts on all of them.
    const loader = await startNode(toml(0), dir('loader'));
    nodes.push(loader);
    const ws = loader.banner.workspace_id;
    const owner = loader.banner.owner_key!.secret;
    const adminPost = async (what: string, body: unknown) => {
      const r = await fetch(`${loader.url}/v1/admin/workspaces/${ws}/${what}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as any;
    };
    await adminPost('users', { email: 'dev@example.com' });
    const key = (await adminPost('keys', { scopes: ['ingest.write'], user: 'dev@example.com' })).secret;
    const old = Date.now() - 40 * 86_400_000;
    for (let b = 0; b < OLD / PER_REQUEST; b++) {
      const recs = Array.from({ length: PER_REQUEST }, (_, i) => ({
        conv: `old-${b}-${i % 40}`,
        ts: old + b * PER_REQUEST + i,
        kind: 'prompt' as const,
      }));
      const r = await fetch(`${loader.url}/v1/logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(synthPayload(recs)),
      });
      assert.equal(r.status, 200, await r.text());
    }
    assert.equal(await loader.stop(), 0);
    nodes.length = 0;
    const oldSeqs = (
      await q(
        `select r.seq from compliance_records r join compliance_content c using (workspace_id, seq)
         where r.workspace_id = $1 and r.event_type = 'CODEX_LOG' and r.ts < $2 order by r.seq`,
        [ws, Date.now() - 30 * 86_400_000],
      )
    ).map((x: any) => Number(x.seq));
    assert.equal(oldSeqs.length, OLD);

    // Two nodes started just after a period begins: their first tick (one period later) is early in
    // its period, so the takeover (kill + lease + a tick) falls within the same period.
    await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 200);
    const [a0, b0] = await Promise.all([startNode(toml(PERIOD_MS), dir('a')), startNode(toml(PERIOD_MS), dir('b'))]);
    nodes.push(a0!, b0!);
    const run = async () =>
      (await q(`select node, period, started_at, finished_at, lease_until, result from job_runs
        where job = 'compliance.retention'`)) as any[];
    const removals = async () =>
      (
        await q(
          `select r.seq, c.content from compliance_records r join compliance_content c using (workspace_id, seq)
           where r.workspace_id = $1 and r.event_type = 'AUDIT_LOG' and c.content like '%"retention.%' order by r.seq`,
          [ws],
        )
      ).map((x: any) => ({ seq: Number(x.seq), ...JSON.parse(x.content) }));

    // The first batch's removal record: the run is under way; its node is killed there.
    await until(
      'the first removal record',
      async () => (await removals()).some((r) => r.action === 'retention.removed'),
      PERIOD_MS + 15_000,
    );
    const [first] = await run();
    assert.ok(first && first.finished_at === null, 'the run is still going when its node is killed');
    const pidOf = (node: string) => Number(node.split(':').at(-2));
    const victim = nodes.find((n) => n.process.pid === pidOf(first.node))!;
    const survivor = nodes.find((n) => n !== victim)!;
    assert.ok(victim && survivor, `the run's node ${first.node} is one of the two`);
    victim.process.kill('SIGKILL');
    const killedAt = Date.now();
    // The lease is the configured one: claimed or renewed at most two seconds ahead.
    assert.ok(Number(first.lease_until) - Number(first.started_at) <= LEASE_S * 1000 + 50, JSON.stringify(first));
    const doneBefore = (await removals()).filter((r) => r.action === 'retention.removed').length;

    await until(
      'the survivor finishes the period',
      async () => {
        const [row] = await run();
        return row.finished_at !== null;
      },
      PERIOD_MS,
    );
    const rows = await run();
    // (Two rows: the takeover fell in the next period, e.g. nodes that took > 10 s to start.)
    const claimedAt = Number(first.started_at) - Number(first.period) * PERIOD_MS;
    assert.equal(rows.length, 1, `one period, one row (claimed ${claimedAt} ms into its period)`);
    const [row] = rows;
    assert.equal(row.period, first.period);
    assert.equal(pidOf(row.node), survivor.process.pid, 'the survivor holds the row');
    // After the kill, within the lease and a tick of it (the default lease would be ten minutes).
    const takenAfter = Number(row.started_at) - killedAt;
    assert.ok(
      takenAfter >= 0 && takenAfter <= LEASE_S * 1000 + PERIOD_MS / 4 + 3000,
      `taken over ${takenAfter} ms after the kill: ${JSON.stringify({ first, row })}`,
    );
    const result = JSON.parse(row.result);
    assert.equal(result.error, undefined, row.result);
    assert.equal(await survivor.stop(), 0, survivor.stderr().slice(-2000));

    // Two runs: the killed one's (started, a few batches, never completed) and the takeover's.
    const recs = await removals();
    const started = recs.filter((r) => r.action === 'retention.run').map((r) => r.after.run_id);
    const completed = recs.filter((r) => r.action === 'retention.completed').map((r) => r.after.run_id);
    assert.equal(started.length, 2, JSON.stringify(started));
    assert.deepEqual(completed, [result.run_id]);
    assert.equal(started[1], result.run_id);
    const removed = recs.filter((r) => r.action === 'retention.removed');
    const byRun = (id: string) => removed.filter((r) => r.after.run_id === id);
    assert.ok(byRun(started[0]).length >= doneBefore && byRun(started[0]).length < removed.length);
    assert.ok(byRun(result.run_id).length >= 1, 'the takeover removed the rest');
    // Every old record's content removed, each seq by exactly one removal record.
    const seen: number[] = [];
    for (const r of removed) for (const [lo, hi] of r.after.seqs) for (let s = lo; s <= hi; s++) seen.push(s);
    assert.equal(new Set(seen).size, seen.length, 'a seq removed twice');
    assert.deepEqual(
      seen.sort((x, y) => x - y),
      oldSeqs,
    );
    const sum = (id: string) => byRun(id).reduce((n, r) => n + r.after.removed, 0);
    assert.equal(result.purged.CODEX_LOG, sum(result.run_id));
    assert.equal(sum(started[0]) + sum(result.run_id), OLD);
    t.diagnostic(
      `killed after ${byRun(started[0]).length} batches (${sum(started[0])} removed); taken over ${takenAfter} ms ` +
        `after the kill; the takeover removed ${sum(result.run_id)} in ${byRun(result.run_id).length} batches`,
    );
    const left = await q(
      `select count(*)::int as n from compliance_content where workspace_id = $1 and event_type = 'CODEX_LOG'`,
      [ws],
    );
    assert.equal(left[0].n, 0);
    const chained = await q(
      `select count(*)::int as n from compliance_records where workspace_id = $1 and event_type = 'CODEX_LOG'`,
      [ws],
    );
    assert.equal(chained[0].n, OLD, 'chain rows stay, none added');

    const verify = await cli(['compliance', 'verify', '--database-url', url], root);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  } finally {
    await Promise.all(nodes.map((n) => n.stop().catch(() => null)));
    await admin.end();
    await server.query(`drop database if exists ${database} with (force)`);
    await server.end();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

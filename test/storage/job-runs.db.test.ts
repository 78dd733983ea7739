// job_runs is pruned (decisions/0046): the node that claims a job's period, after its run, deletes
// that job's rows of that workspace older than the history; the current period's claim, other
// workspaces and other jobs are left; with two nodes ticking at once the job runs, and prunes, once.
// A failed attempt is retried within its period, after its backoff, by one node. A run left
// unfinished past its lease (its node died) is taken over by one node; a live node's long run keeps
// its lease and is never run twice (decisions/0062).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPeriodicJob } from '../../src/platform/storage/jobs.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

for (const dialect of DIALECTS)
  describe(`job_runs history (${dialect})`, () => {
    let store: TestStore;
    before(async () => {
      store = await makeStore(dialect);
    });
    after(async () => {
      await store.cleanup();
    });

    it('keeps the last days of runs and the current claim, for the job and workspace that ran', async () => {
      const now = Date.now();
      const current = Math.floor(now / HOUR);
      // 40 days of hourly runs of two jobs in two workspaces, the current hour not yet claimed.
      const rows = [];
      for (const job of ['test.job', 'test.other'])
        for (const ws of ['ws-a', 'ws-b'])
          for (let p = current - 40 * 24; p < current; p++)
            rows.push({
              job,
              workspace_id: ws,
              period: p,
              node: 'old',
              started_at: p * HOUR,
              finished_at: p * HOUR + 5,
              result: '{}',
            });
      for (let i = 0; i < rows.length; i += 500)
        await store.db
          .insertInto('job_runs')
          .values(rows.slice(i, i + 500))
          .execute();

      const runs: string[] = [];
      const job = (node: string) =>
        startPeriodicJob(store.db, node, {
          job: 'test.job',
          periodMs: HOUR,
          historyMs: 7 * DAY,
          firstDelayMs: 0,
          workspaces: async () => ['ws-a'],
          run: async (ws) => {
            runs.push(`${node} ${ws}`);
            return { ok: true };
          },
          onError: (err) => assert.fail(String(err)),
        });
      // Two nodes tick at once.
      const nodes = [job('node-1'), job('node-2')];
      for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 200));
      await Promise.all(nodes.map((n) => n.stop()));
      assert.equal(runs.length, 1, `ran ${JSON.stringify(runs)}`);

      const left = await store.db
        .selectFrom('job_runs')
        .select(['job', 'workspace_id', 'period', 'node'])
        .orderBy('job')
        .orderBy('workspace_id')
        .orderBy('period')
        .execute();
      const periodsOf = (jobName: string, ws: string) =>
        left.filter((r) => r.job === jobName && r.workspace_id === ws).map((r) => Number(r.period));
      // The pruned job and workspace: the runs that started within the 7 days, and the new claim.
      const cutoff = Math.floor((now - 7 * DAY) / HOUR);
      const expected = [];
      for (let p = cutoff; p <= current; p++) expected.push(p);
      assert.deepEqual(periodsOf('test.job', 'ws-a'), expected);
      assert.equal(
        left.find((r) => r.job === 'test.job' && Number(r.period) === current)?.node,
        runs[0]!.split(' ')[0],
      );
      // Everything else as it was.
      const all = Array.from({ length: 40 * 24 }, (_, i) => current - 40 * 24 + i);
      assert.deepEqual(periodsOf('test.job', 'ws-b'), all);
      assert.deepEqual(periodsOf('test.other', 'ws-a'), all);
      assert.deepEqual(periodsOf('test.other', 'ws-b'), all);
    });

    it('a failed attempt is tried again within the period by one of the nodes, until it succeeds', async () => {
      const attempts: string[] = [];
      const errors: string[] = [];
      const job = (node: string) =>
        startPeriodicJob(store.db, node, {
          job: 'test.flaky',
          periodMs: DAY,
          tickMs: 20,
          firstDelayMs: 0,
          retryAfterMs: (attempt) => 30 * attempt,
          workspaces: async () => ['ws-a'],
          run: async () => {
            attempts.push(node);
            if (attempts.length < 3) throw new Error(`attempt ${attempts.length} failed`);
            return { ok: attempts.length };
          },
          onError: (err) => errors.push(String((err as Error).message)),
        });
      const nodes = [job('node-1'), job('node-2')];
      const row = () =>
        store.db.selectFrom('job_runs').select(['finished_at', 'result']).where('job', '=', 'test.flaky').execute();
      for (let i = 0; i < 200 && attempts.length < 3; i++) await new Promise((r) => setTimeout(r, 25));
      for (let i = 0; i < 200 && (await row())[0]?.finished_at === null; i++)
        await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 200)); // ticks after the success run nothing more
      await Promise.all(nodes.map((n) => n.stop()));
      assert.equal(attempts.length, 3, `attempts ${JSON.stringify(attempts)}`);
      assert.deepEqual(errors, ['attempt 1 failed', 'attempt 2 failed']);
      const rows = await row();
      assert.equal(rows.length, 1);
      assert.deepEqual(JSON.parse(rows[0]!.result!), { ok: 3 });
    });

    it('a run its node left unfinished past the lease is taken over by one node, once', async () => {
      const now = Date.now();
      const period = Math.floor(now / DAY);
      // What a node killed mid-run leaves: claimed, never finished, its lease run out; and in another
      // workspace a run whose lease is still current (its node alive), which nobody may take.
      await store.db
        .insertInto('job_runs')
        .values([
          {
            job: 'test.orphan',
            workspace_id: 'ws-a',
            period,
            node: 'dead',
            started_at: now - 5_000,
            finished_at: null,
            result: null,
            lease_until: now - 1_000,
          },
          {
            job: 'test.orphan',
            workspace_id: 'ws-b',
            period,
            node: 'alive',
            started_at: now - 5_000,
            finished_at: null,
            result: null,
            lease_until: now + DAY,
          },
        ])
        .execute();
      const runs: string[] = [];
      const job = (node: string) =>
        startPeriodicJob(store.db, node, {
          job: 'test.orphan',
          periodMs: DAY,
          tickMs: 20,
          firstDelayMs: 0,
          leaseMs: 300,
          workspaces: async () => ['ws-a', 'ws-b'],
          run: async (ws) => {
            runs.push(`${node}:${ws}`);
            return { ok: true };
          },
          onError: () => {},
        });
      const nodes = [job('node-1'), job('node-2')];
      for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 300)); // more ticks of both nodes: nothing more runs
      await Promise.all(nodes.map((n) => n.stop()));
      assert.equal(runs.length, 1, JSON.stringify(runs));
      assert.match(runs[0]!, /^node-[12]:ws-a$/);
      const rows = await store.db
        .selectFrom('job_runs')
        .select(['workspace_id', 'node', 'finished_at', 'result', 'lease_until'])
        .where('job', '=', 'test.orphan')
        .orderBy('workspace_id')
        .execute();
      assert.equal(rows[0]!.node, runs[0]!.split(':')[0]);
      assert.ok(rows[0]!.finished_at !== null);
      assert.deepEqual(JSON.parse(rows[0]!.result!), { ok: true });
      assert.deepEqual([rows[1]!.node, rows[1]!.finished_at], ['alive', null], 'a current lease is left alone');
    });

    it('a live run longer than its lease keeps it (renewed) and runs once', async () => {
      const runs: string[] = [];
      let release!: () => void;
      const done = new Promise<void>((r) => (release = r));
      const job = (node: string) =>
        startPeriodicJob(store.db, node, {
          job: 'test.long',
          periodMs: DAY,
          tickMs: 20,
          firstDelayMs: 0,
          leaseMs: 150,
          workspaces: async () => ['ws-a'],
          run: async () => {
            runs.push(node);
            await done; // six leases long
            return { ok: true };
          },
          onError: () => {},
        });
      const nodes = [job('node-1'), job('node-2')];
      for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 900));
      release();
      await new Promise((r) => setTimeout(r, 100));
      await Promise.all(nodes.map((n) => n.stop()));
      assert.equal(runs.length, 1, JSON.stringify(runs));
      const row = await store.db
        .selectFrom('job_runs')
        .select(['node', 'finished_at'])
        .where('job', '=', 'test.long')
        .executeTakeFirstOrThrow();
      assert.equal(row.node, runs[0]);
      assert.ok(row.finished_at !== null);
    });

    it("a failure's row says which attempt failed, and the retry waits for its backoff", async () => {
      let runs = 0;
      const j = startPeriodicJob(store.db, 'node-1', {
        job: 'test.failing',
        periodMs: DAY,
        tickMs: 20,
        firstDelayMs: 0,
        retryAfterMs: () => DAY, // not again within this test
        workspaces: async () => ['ws-a'],
        run: async () => {
          runs++;
          throw new Error('disk full');
        },
        onError: () => {},
      });
      for (let i = 0; i < 200 && runs === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 200));
      await j.stop();
      assert.equal(runs, 1);
      const r = await store.db
        .selectFrom('job_runs')
        .select('result')
        .where('job', '=', 'test.failing')
        .executeTakeFirst();
      assert.deepEqual(JSON.parse(r!.result!), { error: 'disk full', attempt: 1 });
    });
  });

// job_runs is pruned (decisions/0046): the node that claims a job's period, after its run, deletes
// that job's rows of that workspace older than the history; the current period's claim, other
// workspaces and other jobs are left; with two nodes ticking at once the job runs, and prunes, once.
// A failed attempt is retried within its period, after its backoff, by one node.
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

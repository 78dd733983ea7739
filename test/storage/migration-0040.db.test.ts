// Migration 0040 on the real PostgreSQL: a store with content (two workspaces, CODEX_LOG old and
// new, AUDIT_LOG) moves into the partitions, every row with its content unchanged and in the
// partition of its record's type and day, and verify and retention keep working on it. Then the job
// that makes partitions ahead, run by two nodes of one store: one of them makes them, once.
// SQLite is unchanged by 0040 (its tests are every other compliance test).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { configSchema } from '../../src/config/schema.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { startComplianceJobs } from '../../src/compliance/jobs.service.js';
import { retentionDaysOf, runRetention } from '../../src/compliance/retention/retention.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { dayPartitionName, startOfDay } from '../../src/platform/storage/partitions.js';
import { appendN } from '../support/compliance.js';
import { partitionOf, tableExists } from '../support/partitions.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const PARENT = 'compliance_content_codex_log';
const quiet = { info() {}, warn() {}, error() {} };

if (DIALECTS.includes('postgres')) {
  describe('migration 0040: content into partitions (postgres)', () => {
    let s: TestStore;
    const today = startOfDay(Date.now());
    let before0040: { workspace_id: string; seq: number; content: string; event_type: string; ts: number }[];
    before(async () => {
      s = await makeStore('postgres', '0038_title_thread_kind');
      // Today's append writes the partition key into the content row, so a store made today by
      // 0003 has those columns (unused until 0040); one made before did not. They are dropped
      // before migrating, as such a store's table was (the migration takes type and time from the
      // chain rows).
      await appendN(s.db, 'ws-1', 7, { ts: Date.now() - 40 * DAY }, 3);
      await appendN(s.db, 'ws-1', 4, {}, 2);
      await appendN(s.db, 'ws-2', 3, { ts: Date.now() - 3 * DAY, eventType: 'AUDIT_LOG' }, 3);
      await appendN(s.db, 'ws-2', 2, {}, 2);
      await sql`alter table compliance_content drop column event_type, drop column ts`.execute(s.db);
      before0040 = (
        await sql<{ workspace_id: string; seq: string; content: string; event_type: string; ts: string }>`
          select c.workspace_id, c.seq, c.content, r.event_type, r.ts from compliance_content c
          join compliance_records r on r.workspace_id = c.workspace_id and r.seq = c.seq
          order by 1, 2`.execute(s.db)
      ).rows.map((r) => ({ ...r, seq: Number(r.seq), ts: Number(r.ts) }));
      assert.equal(before0040.length, 16);
      await migrateToLatest(s.db);
    });
    after(() => s?.cleanup());

    it('moves every row into the partition of its type and day, content unchanged', async () => {
      const after0040 = await sql<{
        workspace_id: string;
        seq: string;
        content: string;
        event_type: string;
        ts: string;
      }>`
        select workspace_id, seq, content, event_type, ts from compliance_content order by 1, 2`.execute(s.db);
      assert.deepEqual(
        after0040.rows.map((r) => ({ ...r, seq: Number(r.seq), ts: Number(r.ts) })),
        before0040,
      );
      for (const r of before0040) {
        const want =
          r.event_type === 'AUDIT_LOG'
            ? 'compliance_content_audit_log'
            : r.ts < today
              ? `${PARENT}_before`
              : dayPartitionName(PARENT, startOfDay(r.ts));
        assert.equal(await partitionOf(s.db, r.workspace_id, r.seq), want, `${r.workspace_id} ${r.seq}`);
      }
      for (const ws of ['ws-1', 'ws-2']) assert.equal((await verifyChain(s.db, ws)).ok, true);
      // A week of days made ahead, from today.
      for (let d = 0; d < 7; d++)
        assert.equal((await tableExists(s.db, dayPartitionName(PARENT, today + d * DAY))).attached, true);
    });

    it('retention deletes the old rows of the partition before the migration, which straddles the cutoff', async () => {
      const days = retentionDaysOf({
        codex_log_days: 30,
        codex_security_log_days: 0,
        audit_log_days: 0,
        auth_log_days: 0,
      });
      const r = await runRetention(s.db, 'ws-1', days, SYSTEM);
      assert.equal(r.purged.CODEX_LOG, 7);
      assert.deepEqual(r.partitions_dropped, []);
      assert.equal((await tableExists(s.db, `${PARENT}_before`)).attached, true);
      const v = await verifyChain(s.db, 'ws-1');
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      assert.equal(v.content_removed_by_retention, 7);
    });
  });

  describe('content partitions made ahead by one node of two (postgres)', () => {
    let s: TestStore;
    let other: Store;
    let dir: string;
    before(async () => {
      s = await makeStore('postgres');
      other = openStore(s.reopen);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-partitions-'));
    });
    after(async () => {
      await other?.close();
      await s?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the two nodes claim the period once; the missing days of the week ahead are made', async () => {
      const today = startOfDay(Date.now());
      const missing = [4, 5, 6].map((d) => dayPartitionName(PARENT, today + d * DAY));
      for (const p of missing) await sql`drop table ${sql.id(p)}`.execute(s.db);
      const config = configSchema.parse({
        data: dir,
        compliance: {
          checkpoint_interval_minutes: 0,
          retention: { interval_hours: 0 },
          search_index_interval_seconds: 0,
        },
      });
      const opts = { firstPartitionsDelayMs: 10, partitionsPeriodMs: 365 * DAY };
      const nodes = [
        startComplianceJobs(s.db, config, quiet, { ...opts, owner: 'node-a' }),
        startComplianceJobs(other.db, config, quiet, { ...opts, owner: 'node-b' }),
      ];
      const runs = () => s.db.selectFrom('job_runs').selectAll().where('job', '=', 'compliance.partitions').execute();
      try {
        for (let i = 0; i < 200 && !(await runs()).some((r) => r.finished_at !== null); i++) await sleep(50);
        await sleep(300); // time for the other node's tick, which must find the period taken
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
      }
      const rows = await runs();
      assert.equal(rows.length, 1);
      assert.ok(['node-a', 'node-b'].includes(rows[0].node));
      assert.deepEqual(JSON.parse(rows[0].result!).made, missing);
      for (let d = 0; d < 7; d++)
        assert.equal((await tableExists(s.db, dayPartitionName(PARENT, today + d * DAY))).attached, true);
    });
  });
}

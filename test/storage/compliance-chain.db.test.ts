// The compliance chain on both databases: appends link, verification recomputes it, and every kind
// of tampering (a byte of content, a byte of a hash, a deleted record, two records swapped, content
// removed outside retention, a rewritten tail behind a signed checkpoint) is named at its first bad
// record. Concurrent appenders on separate connections keep one linear chain.
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { canonicalJson, GENESIS_HASH, recordHash, sha256hex } from '../../src/core/compliance.js';
import { checkpointNow, generateSigningKey, loadSigningKey } from '../../src/compliance/verify/checkpoint.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { openStore } from '../../src/platform/storage/database.js';
import { MIGRATIONS } from '../../src/migrations/index.js';
import { appendRecords, getHead } from '../../src/compliance/chain/chain.repository.js';
import { appendN, chainRows, draft, tamper } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`compliance chain (${dialect})`, () => {
    let s: TestStore;
    let n = 0;
    const fresh = () => `ws-${++n}`;
    before(async () => {
      s = await makeStore(dialect);
    });
    after(() => s.cleanup());

    it('links every record to the previous one and verifies', async () => {
      const ws = fresh();
      await appendN(s.db, ws, 25);
      const rows = await chainRows(s.db, ws);
      assert.deepEqual(
        rows.map((r) => Number(r.seq)),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      assert.equal(rows[0].prev_hash, GENESIS_HASH);
      for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev_hash, rows[i - 1].hash);
      const r = await verifyChain(s.db, ws);
      assert.equal(r.ok, true, JSON.stringify(r.first_bad));
      assert.equal(r.records, 25);
      assert.deepEqual(r.head, { seq: 25, hash: rows[24].hash });
      // recorded_at only grows, so log files cut on it never gain records later.
      for (let i = 1; i < rows.length; i++) assert.ok(Number(rows[i].recorded_at) >= Number(rows[i - 1].recorded_at));
    });

    it('appendRecords refuses to run outside a transaction (the head lock would not hold)', async () => {
      await assert.rejects(appendRecords(s.db, fresh(), [draft(1)]), /inside a transaction/);
    });

    const tamperCases: [string, (ws: string) => Promise<void>, number, string][] = [
      ["one byte of a record's content", (ws) => tamper.contentByte(s.db, ws, 7), 7, 'content_altered'],
      ["one byte of a record's hash", (ws) => tamper.hashByte(s.db, ws, 4), 4, 'hash_mismatch'],
      ['a deleted record', (ws) => tamper.deleteRecord(s.db, ws, 9), 9, 'missing_records'],
      ['two records swapped', (ws) => tamper.reorder(s.db, ws, 5, 11), 5, 'hash_mismatch'],
      [
        'content deleted outside retention',
        (ws) => tamper.deleteContent(s.db, ws, 3),
        3,
        'content_removed_outside_retention',
      ],
      ['the last record deleted', (ws) => tamper.deleteRecord(s.db, ws, 12), 12, 'missing_records'],
    ];
    for (const [what, act, seq, reason] of tamperCases) {
      it(`names the first bad record after ${what}`, async () => {
        const ws = fresh();
        await appendN(s.db, ws, 12, {}, 4);
        await act(ws);
        const r = await verifyChain(s.db, ws);
        assert.equal(r.ok, false);
        assert.equal(r.first_bad?.seq, seq, JSON.stringify(r.first_bad));
        assert.equal(r.first_bad?.reason, reason);
      });
    }

    it('parallel verification (worker threads, one connection each) finds the same first bad record', async () => {
      const ws = fresh();
      await appendN(s.db, ws, 30, {}, 7);
      const par = { store: s, workers: 3, parallelFrom: 0, rangeSize: 10 };
      const ok = await verifyChain(s.db, ws, par);
      assert.deepEqual([ok.ok, ok.records], [true, 30]);
      // Record 10 ends the first of three ranges: its deletion is reported by that range, not lost between two.
      await tamper.deleteRecord(s.db, ws, 10);
      await tamper.contentByte(s.db, ws, 25);
      const bad = await verifyChain(s.db, ws, par);
      // Three problems: the deleted record, the altered content, and the log-file index, which still counts the deleted record.
      assert.deepEqual(
        [bad.ok, bad.first_bad?.seq, bad.first_bad?.reason, bad.problems, bad.log_index.differing],
        [false, 10, 'missing_records', 3, 1],
      );
      const single = await verifyChain(s.db, ws);
      assert.deepEqual([single.first_bad?.seq, single.first_bad?.reason, single.problems], [10, 'missing_records', 3]);
    });

    it('a rewritten chain with every hash recomputed still fails against a signed checkpoint', async () => {
      const ws = fresh();
      const key = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      await appendN(s.db, ws, 6);
      const cp = await checkpointNow(s.db, ws, key, true);
      // An attacker edits record 3 and recomputes every hash after it, and the head.
      const rows = await chainRows(s.db, ws);
      let prev = rows[1].hash;
      for (const r of rows.slice(2)) {
        const content = canonicalJson({ kind: 'prompt', n: Number(r.seq), prompt: { text: 'rewritten' } });
        const rec = {
          ...r,
          seq: Number(r.seq),
          ts: Number(r.ts),
          recorded_at: Number(r.recorded_at),
          content_sha256: sha256hex(content),
        };
        const hash = recordHash(prev, rec);
        await s.db
          .updateTable('compliance_content')
          .set({ content })
          .where('workspace_id', '=', ws)
          .where('seq', '=', rec.seq)
          .execute();
        await s.db
          .updateTable('compliance_records')
          .set({ content_sha256: rec.content_sha256, prev_hash: prev, hash })
          .where('workspace_id', '=', ws)
          .where('seq', '=', rec.seq)
          .execute();
        prev = hash;
      }
      await s.db.updateTable('compliance_heads').set({ hash: prev }).where('workspace_id', '=', ws).execute();
      const r = await verifyChain(s.db, ws, { checkpoints: [cp], publicKeys: [key.publicKey] });
      assert.equal(r.ok, false);
      assert.equal(r.first_bad?.reason, 'checkpoint_mismatch');
      assert.equal(r.first_bad?.seq, 6);
      assert.ok(r.checkpoints_checked >= 1);
    });

    it('concurrent appenders keep one linear chain', async () => {
      const ws = fresh();
      // PostgreSQL: three pools of four connections racing for the head row. SQLite: one
      // connection per process (better-sqlite3 is synchronous), so the appenders share the store.
      const others =
        dialect === 'postgres'
          ? [0, 1, 2].map(() => openStore({ ...s.reopen, poolSize: 4 }))
          : [{ db: s.db, close: async () => {} }];
      try {
        await Promise.all(
          [0, 1, 2].flatMap((k) =>
            Array.from({ length: 8 }, (_, j) =>
              others[k % others.length].db
                .transaction()
                .execute((trx) => appendRecords(trx, ws, [draft(k * 100 + j), draft(k * 100 + j + 50)])),
            ),
          ),
        );
      } finally {
        for (const o of others) await o.close();
      }
      const rows = await chainRows(s.db, ws);
      assert.equal(rows.length, 48);
      assert.deepEqual(
        rows.map((r) => Number(r.seq)),
        Array.from({ length: 48 }, (_, i) => i + 1),
      );
      const r = await verifyChain(s.db, ws);
      assert.equal(r.ok, true, JSON.stringify(r.first_bad));
      assert.equal((await getHead(s.db, ws))?.seq, 48);
    });
  });

  describe(`migration 0003 folds the old audit trail into the chain (${dialect})`, () => {
    let s: TestStore;
    after(() => s?.cleanup());
    it('keeps every audit_events row, in order, as a verified AUDIT_LOG record', async () => {
      s = await makeBareStore(dialect);
      const mig = new Migrator({
        db: s.db,
        provider: { getMigrations: async () => MIGRATIONS },
        migrationTableName: 'steward_migrations',
        migrationLockTableName: 'steward_migrations_lock',
        ...(dialect === 'postgres' ? { migrationTableSchema: s.reopen.pgSchema } : {}),
      });
      const to2 = await mig.migrateTo('0002_code_review');
      assert.equal(to2.error, undefined);
      const boot = await ensureBootstrappedOld(s);
      const up = await mig.migrateToLatest();
      assert.equal(up.error, undefined, String(up.error));
      const rows = await chainRows(s.db, boot);
      assert.deepEqual(
        rows.map((r) => r.event_type),
        ['AUDIT_LOG', 'AUDIT_LOG'],
      );
      const r = await verifyChain(s.db, boot);
      assert.equal(r.ok, true);
      const content = JSON.parse(
        (
          await s.db
            .selectFrom('compliance_content')
            .select('content')
            .where('workspace_id', '=', boot)
            .where('seq', '=', 2)
            .executeTakeFirstOrThrow()
        ).content,
      );
      assert.deepEqual(
        [content.action, content.actor, content.after, content.migrated_from],
        ['key.created', { type: 'cli', id: 'root' }, { id: 'k1' }, '0190a000-0000-7000-8000-000000000002'],
      );
    });
  });
}

// A store with no migrations applied.
async function makeBareStore(dialect: 'sqlite' | 'postgres'): Promise<TestStore> {
  const { default: pg } = await import('pg');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const crypto = await import('node:crypto');
  const { PG_URL } = await import('../support/stores.js');
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-test-'));
    const store = openStore({ dataDir: dir });
    return {
      ...store,
      reopen: { dataDir: dir },
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const store = openStore({ databaseUrl: PG_URL, pgSchema: schema });
  return {
    ...store,
    reopen: { databaseUrl: PG_URL, pgSchema: schema },
    cleanup: async () => {
      await store.close();
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`DROP SCHEMA ${schema} CASCADE`);
      await d.end();
    },
  };
}

// What 0001 wrote on first start: a workspace and two audit rows.
async function ensureBootstrappedOld(s: TestStore): Promise<string> {
  const db = s.db as unknown as import('kysely').Kysely<any>;
  await db.insertInto('workspaces').values({ id: 'ws-old', name: 'default', created_at: 1, settings: '{}' }).execute();
  await db
    .insertInto('audit_events')
    .values([
      {
        id: '0190a000-0000-7000-8000-000000000001',
        workspace_id: 'ws-old',
        ts: 10,
        actor_type: 'system',
        actor_id: null,
        action: 'workspace.created',
        target_type: 'workspace',
        target_id: 'ws-old',
        before_json: null,
        after_json: '{"id":"ws-old"}',
      },
      {
        id: '0190a000-0000-7000-8000-000000000002',
        workspace_id: 'ws-old',
        ts: 11,
        actor_type: 'cli',
        actor_id: 'root',
        action: 'key.created',
        target_type: 'api_key',
        target_id: 'k1',
        before_json: null,
        after_json: '{"id":"k1"}',
      },
    ])
    .execute();
  return 'ws-old';
}

// A key's use is recorded beside the request, never in its way: with the key row locked by another
// writer a read still answers at once, and the use (last_used_at, key.first_used) lands afterwards
// (on SQLite, whose driver waits for a lock synchronously, on the next use once the lock is gone).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS, PG_URL } from '../support/stores.js';

// Holds the database's write lock (SQLite) or the key's row lock (PostgreSQL) until released.
async function lockWrites(t: TestApp, keyId: string): Promise<() => Promise<void>> {
  if (t.store.dialect === 'sqlite') {
    const c = new SQLite(path.join(t.store.reopen.dataDir!, 'steward.db'));
    c.exec('BEGIN IMMEDIATE');
    return async () => {
      c.exec('COMMIT');
      c.close();
    };
  }
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query('BEGIN');
  await c.query(`SELECT 1 FROM ${t.store.reopen.pgSchema}.api_keys WHERE id = $1 FOR UPDATE`, [keyId]);
  return async () => {
    await c.query('COMMIT');
    await c.end();
  };
}

for (const dialect of DIALECTS) {
  describe(`key use is written off the request's path (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await makeApp(dialect);
    });
    after(() => t.close());

    it('a read answers while the key row cannot be written, and the first use is audited afterwards', async () => {
      const secret = await t.key(['codex.enterprise.analytics.read']);
      const row = await t.store.db
        .selectFrom('api_keys')
        .select(['id', 'last_used_at'])
        .where('name', 'is', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(row.last_used_at, null);
      const release = await lockWrites(t, row.id);
      // Let go after 3 s in any case: a read that waits for the lock then fails instead of hanging.
      const released = new Promise<void>((resolve) => setTimeout(() => void release().then(resolve), 3000));
      const started = Date.now();
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage`,
        headers: { authorization: `Bearer ${secret}` },
      });
      const took = Date.now() - started;
      await released;
      assert.equal(r.statusCode, 200, r.body);
      // The lock would hold a write in the request's path for seconds (SQLite's busy timeout is 5 s).
      assert.ok(took < 2000, `the read waited ${took} ms for the key's use record`);
      await t.ctx.auth.settle();
      // A use that could not be written is written on the next use (not a minute later).
      const again = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage`,
        headers: { authorization: `Bearer ${secret}` },
      });
      assert.equal(again.statusCode, 200, again.body);
      await t.ctx.auth.settle();
      const used = await t.store.db
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.ok(used.last_used_at !== null, 'last_used_at is recorded once the lock is gone');
      const audits = await t.store.db
        .selectFrom('compliance_records')
        .select('id')
        .where('event_type', '=', 'AUDIT_LOG')
        .execute();
      assert.ok(audits.length > 0);
    });
  });
}

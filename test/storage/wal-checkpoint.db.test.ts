// SQLite checkpoints (platform/storage/dialect.ts walCheckpoint): a RESTART checkpoint blocks writers while it
// waits for readers of the old log, so its wait is bounded and it gives up instead of stalling ingest
// for the whole busy timeout behind a long read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { walCheckpoint } from '../../src/platform/storage/dialect.js';
import { makeStore, type TestStore } from '../support/stores.js';

describe('WAL checkpoints (sqlite)', () => {
  let store: TestStore;
  let reader: Store;
  const write = (n: number) =>
    sql`insert into compliance_once (workspace_id, once_key) values ('w', ${`k${n}`})`.execute(store.db);
  before(async () => {
    store = await makeStore('sqlite');
    reader = openStore(store.reopen);
  });
  after(async () => {
    await reader.close();
    await store.cleanup();
  });

  it('RESTART gives up after its wait bound while a reader holds the old log, and the busy timeout is restored', async () => {
    for (let n = 0; n < 50; n++) await write(n);
    await sql`begin deferred`.execute(reader.db); // a reader: deferred, as a plain begin is not here
    await sql`select count(*) from compliance_once`.execute(reader.db); // a snapshot of the log as it is
    await write(1000);
    const t0 = performance.now();
    await assert.rejects(walCheckpoint(store.db, 'RESTART', 200), (e: { code?: string }) => e.code === 'SQLITE_BUSY');
    const waited = performance.now() - t0;
    assert.ok(
      waited >= 150 && waited < 2000,
      `waited ${waited.toFixed(0)} ms (the connection's own busy timeout is 5,000)`,
    );
    assert.equal((await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db)).rows[0]?.timeout, 5000);
    await sql`commit`.execute(reader.db);
  });

  it('RESTART succeeds once the reader is done, and the next writer starts the log over', async () => {
    await walCheckpoint(store.db, 'PASSIVE');
    await walCheckpoint(store.db, 'RESTART', 200);
    await write(2000);
    // The log now holds only what was written since: the frames of one small transaction.
    const r = await sql<{ busy: number; log: number }>`pragma wal_checkpoint(PASSIVE)`.execute(store.db);
    assert.equal(r.rows[0]?.busy, 0);
    assert.ok(Number(r.rows[0]?.log) < 10, `${r.rows[0]?.log} frames in the log`);
  });
});

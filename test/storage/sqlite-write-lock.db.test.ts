// An admin command beside a busy SQLite serve: another connection (serve's ingest writer thread)
// commits every few milliseconds while `steward users add` runs its transaction, which reads (is the
// email taken?) before it writes. A deferred BEGIN takes the write lock only at the first write;
// SQLite cannot wait for it then (the connection already holds a read snapshot, and waiting could
// deadlock), so the upgrade fails at once with "database is locked" whatever the busy timeout.
// Every transaction steward runs on SQLite writes, so each begins IMMEDIATE and waits its turn.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { addUser } from '../../src/access/users.service.js';
import { ensureWorkspace } from '../../src/access/workspaces.service.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { openStore } from '../../src/platform/storage/database.js';

// A writer as serve's ingest thread is one: its own connection, short IMMEDIATE transactions back to
// back, a few milliseconds apart, until told to stop. Plain JavaScript: a worker runs it as it is.
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require('better-sqlite3');
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
db.exec('create table if not exists lock_probe (n integer)');
const insert = db.prepare('insert into lock_probe (n) values (?)');
const write = db.transaction((n) => { for (let i = 0; i < 20; i++) insert.run(n); });
let stop = false, n = 0;
parentPort.on('message', () => (stop = true));
parentPort.postMessage('ready');
(function loop() {
  if (stop) { db.close(); parentPort.postMessage(n); return; }
  write.immediate(n++);
  const until = Date.now() + 2;
  while (Date.now() < until);
  setImmediate(loop);
})();
`;

describe('SQLite transactions beside another writer (sqlite)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-write-lock-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a read-then-write transaction waits for the write lock instead of failing with "database is locked"', async () => {
    const file = path.join(dir, 'steward.db');
    const store = openStore({ sqliteFile: file });
    await migrateToLatest(store.db);
    const ws = await ensureWorkspace(store.db);
    const writer = new Worker(WRITER, { eval: true, workerData: { file } });
    try {
      await new Promise<void>((resolve, reject) => {
        writer.once('message', () => resolve());
        writer.once('error', reject);
      });
      const failures: string[] = [];
      // For two seconds: hundreds of chances for the two to meet.
      let users = 0;
      for (const until = Date.now() + 2000; Date.now() < until; users++) {
        const i = users;
        try {
          await addUser(store.db, { workspaceId: ws.id, email: `beside-${i}@example.com` }, SYSTEM);
        } catch (err) {
          failures.push((err as Error).message);
        }
        // Admin transactions are spaced (each command is a process of its own): back to back, this
        // connection would keep the lock from the other one, whose busy handler sleeps between tries.
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const commits = await new Promise<number>((resolve) => {
        writer.once('message', resolve);
        writer.postMessage('stop');
      });
      assert.ok(commits > 10, `the other connection committed meanwhile (${commits} commits)`);
      assert.deepEqual(failures, [], `${failures.length} of ${users} transactions failed`);
      const added = await store.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('email', 'like', 'beside-%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(added.n), users);
    } finally {
      await writer.terminate();
      await store.close();
    }
  });
});

// SQLite durability (config sqlite_synchronous, decisions/0013): NORMAL by default (an acknowledged
// commit survives a process kill, not a power loss), FULL when asked, on every connection steward
// opens to the file: the store's and, through store.options, its writer and checkpoint threads'.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { configSchema } from '../../src/config/schema.js';
import { openConfiguredStore } from '../../src/cli/shared.js';
import { openStore, type Db } from '../../src/platform/storage/database.js';

const synchronous = async (db: Db) =>
  (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;

describe('SQLite synchronous setting (sqlite)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-durability-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to normal, accepts full, and names the key for anything else', () => {
    assert.equal(configSchema.parse({}).sqlite_synchronous, 'normal');
    assert.equal(configSchema.parse({ sqlite_synchronous: 'full' }).sqlite_synchronous, 'full');
    assert.throws(() => configSchema.parse({ sqlite_synchronous: 'off' }), /sqlite_synchronous/);
  });

  it('opens the file with synchronous=FULL when configured (2), NORMAL otherwise (1), and passes it on to threads', async () => {
    const full = await openConfiguredStore(
      configSchema.parse({ data: path.join(dir, 'full'), sqlite_synchronous: 'full' }),
    );
    const normal = await openConfiguredStore(configSchema.parse({ data: path.join(dir, 'normal') }));
    try {
      assert.equal(await synchronous(full.db), 2);
      assert.equal(await synchronous(normal.db), 1);
      // What a worker thread does with store.options: the same file, the same durability.
      const again = openStore({ ...full.options, poolSize: 1 });
      assert.equal(await synchronous(again.db), 2);
      await again.close();
    } finally {
      await full.close();
      await normal.close();
    }
  });
});

// Backup and restore (decisions/0038), both databases: real Codex captures ingested into one
// workspace, then `steward backup` (a separate process, as an operator runs it) while a second
// workspace keeps ingesting; `steward restore` into a new store; there `compliance verify` passes
// for both workspaces, and the Analytics API and compliance search answer for the first exactly as
// the original store does.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app/app.js';
import { createKey } from '../../src/access/keys.service.js';
import { addUser } from '../../src/access/users.service.js';
import { createWorkspace } from '../../src/access/workspaces.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { openStore, sqliteFileOf, type Store } from '../../src/platform/storage/database.js';
import { restorePostgres, restoreSqlite } from '../../src/platform/storage/backup.js';
import { verifyChain } from '../../src/compliance/index.js';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { loadOtlp, shiftTimes } from '../support/otlp.js';
import { DIALECTS, PG_URL } from '../support/stores.js';

const DAY = 86_400_000;
const now = Date.now();
const CAPTURES = ['exec-json', 'exec-resume', 'appserver-vscode', 'review', 'tui'];

// A capture with its own conversation id, its first event `ago` ms before now.
function capture(name: string, conv: string, ago: number): unknown {
  const p = shiftTimes(loadOtlp(`${name}.otel-logs.json`), now - ago);
  for (const rl of p.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const rec of sl.logRecords)
        for (const kv of rec.attributes) if (kv.key === 'conversation.id') kv.value.stringValue = conv;
  return p;
}

const post = async (app: FastifyInstance, key: string, payload: unknown) => {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/logs',
    payload: JSON.stringify(payload),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  });
  assert.equal(r.statusCode, 200, r.body);
};

// What an investigator and a dashboard read of a workspace: usage by day and user, weekly, code
// reviews, every compliance record of two types, and a text search.
async function answers(app: FastifyInstance, ws: string, key: string): Promise<string[]> {
  const start = Math.floor((now - 30 * DAY) / 1000);
  const urls = [
    `/v1/analytics/codex/workspaces/${ws}/usage?start_time=${start}&group=workspace`,
    `/v1/analytics/codex/workspaces/${ws}/usage?start_time=${start}&group=user`,
    `/v1/analytics/codex/workspaces/${ws}/usage?start_time=${start}&group_by=week&group=user`,
    `/v1/analytics/codex/workspaces/${ws}/code_reviews?start_time=${start}`,
    ...['CODEX_LOG', 'CODEX_SECURITY_LOG'].map(
      (t) => `/v1/compliance/workspaces/${ws}/search?event_type=${t}&limit=1000`,
    ),
    `/v1/compliance/workspaces/${ws}/search?q=exec&limit=1000`,
  ];
  const out: string[] = [];
  for (const url of urls) {
    const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    out.push(r.body);
  }
  return out;
}

for (const dialect of DIALECTS)
  describe(`steward backup during ingest, steward restore into a new store (${dialect})`, () => {
    let t: TestApp;
    let reader: string;
    let busyWs: string;
    let busyKey: string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-backup-'));
    const restoredDb = `r_${crypto.randomBytes(6).toString('hex')}`;
    let restored: Store | undefined;
    let restoredArgs: string[];

    before(async () => {
      t = await makeApp(dialect);
      reader = await t.key(['codex.enterprise.analytics.read', 'codex.enterprise.compliance.read']);
      await t.user('dev@example.com');
      const ingest = await t.key(['ingest.write'], 'dev@example.com');
      for (const [i, name] of CAPTURES.entries()) await post(t.app, ingest, capture(name, `bk-a-${i}`, (i + 1) * DAY));
      busyWs = (await createWorkspace(t.store.db, { name: 'busy' }, cliActor())).id;
      await addUser(t.store.db, { workspaceId: busyWs, email: 'other@example.com' }, cliActor());
      busyKey = (
        await createKey(
          t.store.db,
          { workspaceId: busyWs, scopes: ['ingest.write'], userEmail: 'other@example.com' },
          cliActor(),
        )
      ).secret;
    });
    after(async () => {
      await restored?.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (dialect === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop database if exists ${restoredDb}`);
        await c.end();
      }
    });

    it('restores what was acknowledged before the backup: verify passes, the API answers the same', async () => {
      const file = path.join(dir, dialect === 'sqlite' ? 'steward-backup.db' : 'steward.pgdump');
      // The second workspace ingests all along the backup.
      let sent = 0;
      let ingesting = true;
      const writer = (async () => {
        while (ingesting) {
          await post(t.app, busyKey, capture(CAPTURES[sent % CAPTURES.length]!, `bk-b-${sent}`, 3600_000));
          sent++;
        }
      })();
      while (sent < 2) await new Promise((r) => setImmediate(r));
      const backup = await runCli(['backup', '--to', file, '--json', ...storeArgs(t.store)], dir);
      ingesting = false;
      await writer;
      assert.equal(backup.code, 0, backup.stderr + backup.stdout);
      assert.ok(sent > 2, `${sent} batches sent during the backup`);

      if (dialect === 'sqlite') {
        restoredArgs = ['--data', path.join(dir, 'restored')];
      } else {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`create database ${restoredDb}`);
        await c.end();
        const u = new URL(storeArgs(t.store)[1]!);
        u.pathname = `/${restoredDb}`;
        restoredArgs = ['--database-url', u.toString()];
      }
      const restore = await runCli(['restore', '--from', file, ...restoredArgs], dir);
      assert.equal(restore.code, 0, restore.stderr + restore.stdout);
      // Into a store that exists already: refused.
      await assert.rejects(
        dialect === 'sqlite'
          ? restoreSqlite(file, sqliteFileOf(restoredArgs[1]))
          : restorePostgres(restoredArgs[1]!, file),
        /exists already|already holds a Steward store/,
      );
      const v = await runCli(['compliance', 'verify', '--workspace', t.workspaceId, ...restoredArgs], dir);
      assert.equal(v.code, 0, v.stderr + v.stdout);
      restored =
        dialect === 'sqlite'
          ? openStore({ dataDir: restoredArgs[1] })
          : openStore({ databaseUrl: restoredArgs[1], pgSchema: t.store.reopen.pgSchema });
      const busy = await verifyChain(restored.db, busyWs);
      assert.equal(busy.ok, true, JSON.stringify(busy));
      const { app } = await buildApp({ store: restored, config: t.config });
      try {
        const want = await answers(t.app, t.workspaceId, reader);
        assert.ok(JSON.parse(want[0]!).data.length > 0, 'usage to compare');
        assert.ok(JSON.parse(want[4]!).data.length > 10, 'records to compare');
        assert.deepEqual(await answers(app, t.workspaceId, reader), want);
      } finally {
        await app.close();
      }
      // The busy workspace's copy is a prefix of its chain: what was committed when the copy began.
      const head = async (db: Store['db']) =>
        Number(
          (
            await db
              .selectFrom('compliance_heads')
              .select('seq')
              .where('workspace_id', '=', busyWs)
              .executeTakeFirstOrThrow()
          ).seq,
        );
      assert.ok((await head(restored.db)) <= (await head(t.store.db)));
    });
  });

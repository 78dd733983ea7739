// The Logs API lists files from the log-file index, which is not chained: with its rows deleted the
// API lists 0 of 1 files; verify (API and CLI, exit 5) names log_index_mismatch, and
// `steward compliance reindex` rebuilds the index from the chain so the file is listed again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`log-file index rebuilt from the chain (${dialect})`, () => {
    let t: TestApp;
    let dir: string;
    let readKey: string;
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${readKey}` } });
    const base = () => `/v1/compliance/workspaces/${t.workspaceId}`;
    const files = async () => {
      const r = await get(`${base()}/logs?event_type=CODEX_LOG&limit=100`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as { id: string; url: string }[];
    };
    const cli = (...args: string[]) => runCli(['compliance', ...args, ...storeArgs(t.store)], dir);

    before(async () => {
      t = await makeApp(dialect, { compliance: { log_file_window_seconds: 60 } });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-reindex-'));
      await t.user('dev@example.com');
      const ingestKey = await t.key(['ingest.write'], 'dev@example.com');
      readKey = await t.key(['codex.enterprise.compliance.read']);
      const payload = synthPayload([{ conv: 'ix-1', ts: Date.now() - 5000, kind: 'prompt' }]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      });
      assert.equal(r.statusCode, 200, r.body);
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('deleted index rows: 0 files listed, verify fails naming reindex; reindex lists the file again', async () => {
      const listed = await files();
      assert.equal(listed.length, 1);
      const body = (await get(listed[0].url)).body;
      assert.match(body, /"thread_id":"ix-1"/);

      await sql`delete from compliance_log_index where workspace_id = ${t.workspaceId} and event_type = 'CODEX_LOG'`.execute(
        t.store.db,
      );
      assert.equal((await files()).length, 0);
      const v = (await get(`${base()}/verify`)).json();
      assert.deepEqual([v.ok, v.first_bad?.reason, v.log_index.differing], [false, 'log_index_mismatch', 1]);

      const failed = await cli('verify');
      assert.equal(failed.code, 5, failed.stderr + failed.stdout);
      assert.match(
        failed.stdout,
        /log_index_mismatch: .*CODEX_LOG .*index 0 records, chain 1.*steward compliance reindex/,
      );

      const re = await cli('reindex');
      assert.equal(re.code, 0, re.stderr + re.stdout);
      assert.match(
        re.stdout,
        /1 of \d+ row\(s\) changed \(1 added, 0 corrected, 0 removed\)\n {2}CODEX_LOG \S+: index 0 records, chain 1/,
      );

      const again = await files();
      // The same records (the open last file ends at the watermark, which the reindex audit record moved).
      assert.equal(again.length, 1);
      assert.equal((await get(again[0].url)).body, body);
      const ok = (await get(`${base()}/verify`)).json();
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      const json = await cli('reindex', '--json');
      assert.equal(json.code, 0, json.stderr);
      assert.equal(JSON.parse(json.stdout).changed, 0);
    });
  });
}

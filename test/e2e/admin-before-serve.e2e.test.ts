// A newcomer adds people and keys before the first `serve`: the store is made on the spot, bad
// flags are exit 2 naming the flag, and the first serve still makes the owner key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { ensureOwnerKey, ensureWorkspace } from '../../src/access/index.js';
import { openStore } from '../../src/platform/storage/database.js';

describe('admin commands before the first serve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-first-'));
  const data = path.join(dir, 'store');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('users add and keys create work on a store serve never opened', async () => {
    const add = await runCli(['users', 'add', 'dev@example.com', '--data', data, '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(JSON.parse(add.stdout).email, 'dev@example.com');
    const key = await runCli(
      ['keys', 'create', '--scope', 'ingest.write', '--user', 'dev@example.com', '--data', data, '--json'],
      dir,
    );
    assert.equal(key.code, 0, key.stderr);
    assert.match(JSON.parse(key.stdout).secret, /^stw_/);
  });

  it('a bad --expires-in-days is bad input (exit 2) naming the flag, and stores nothing', async () => {
    for (const v of ['-3', '0', 'abc']) {
      const r = await runCli(['keys', 'create', '--scope', 'admin', `--expires-in-days=${v}`, '--data', data], dir);
      assert.equal(r.code, 2, `${v}: ${r.stderr}`);
      assert.match(r.stderr, /--expires-in-days: must be a positive number of days/);
    }
    const list = await runCli(['keys', 'list', '--data', data, '--json'], dir);
    assert.equal(JSON.parse(list.stdout).length, 1);
    assert.equal(JSON.parse(list.stdout)[0].user_email, 'dev@example.com');
  });

  it('lists have a header row; keys show their name and owner, holds the held email', async () => {
    await runCli(
      ['keys', 'create', '--scope', 'codex.enterprise.analytics.read', '--name', 'ops-laptop', '--data', data],
      dir,
    );
    const keys = await runCli(['keys', 'list', '--data', data], dir);
    const [head, ...lines] = keys.stdout.trim().split('\n');
    assert.match(head!, /^ID\s+NAME\s+OWNER\s+SCOPES\s+STATUS\s+PREFIX\s+LAST USED$/);
    assert.ok(
      lines.some((l) => /\bdev@example\.com\s+ingest\.write\s+active\b/.test(l)),
      keys.stdout,
    );
    assert.ok(
      lines.some((l) => /\bops-laptop\s+-\s+codex\.enterprise\.analytics\.read\s+active\b/.test(l)),
      keys.stdout,
    );
    const users = await runCli(['users', 'list', '--data', data], dir);
    assert.match(users.stdout, /^ID\s+EMAIL\s+ROLE\s+STATUS\s+NAME\n\S+\s+dev@example\.com\s+member\s+active\s+-$/m);
    const hold = await runCli(
      ['compliance', 'hold', '--user', 'dev@example.com', '--reason', 'm7', '--data', data],
      dir,
    );
    assert.equal(hold.code, 0, hold.stderr);
    const holds = await runCli(['compliance', 'holds', '--data', data], dir);
    assert.match(
      holds.stdout,
      /^ID\s+STATUS\s+USER\s+THREAD\s+FROM\s+TO\s+REASON\s+PLACED BY\n\S+\s+active\s+dev@example\.com\s/,
    );
    const json = JSON.parse((await runCli(['compliance', 'holds', '--data', data, '--json'], dir)).stdout);
    assert.equal(json[0].user_email, 'dev@example.com');
  });

  it('workspaces create: validated, refused twice, listed, and its creation is the first record of its chain', async () => {
    const made = await runCli(['workspaces', 'create', 'Acme Research', '--id', 'acme', '--data', data, '--json'], dir);
    assert.equal(made.code, 0, made.stderr);
    assert.deepEqual([JSON.parse(made.stdout).id, JSON.parse(made.stdout).name], ['acme', 'Acme Research']);
    const twice = await runCli(['workspaces', 'create', 'again', '--id', 'acme', '--data', data], dir);
    assert.equal(twice.code, 4, twice.stderr);
    assert.match(twice.stderr, /workspace acme already exists/);
    const bad = await runCli(['workspaces', 'create', 'x', '--id', 'no spaces/here', '--data', data], dir);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /id: must be 1 to 64 letters/);
    const list = await runCli(['workspaces', 'list', '--data', data], dir);
    assert.match(list.stdout, /^acme\s+Acme Research\s/m);
    const verify = await runCli(['compliance', 'verify', '--workspace', 'acme', '--data', data, '--json'], dir);
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.equal(JSON.parse(verify.stdout).records, 1);
  });

  it('the first serve still makes an owner key when only ingest keys exist', async () => {
    const store = await openStore({ dataDir: data });
    try {
      const state = await ensureOwnerKey(store.db, await ensureWorkspace(store.db));
      assert.ok(state.created, 'an owner key is made');
      const again = await ensureOwnerKey(store.db, await ensureWorkspace(store.db));
      assert.equal(again.created, undefined);
      assert.equal(again.existing?.id, state.created.id);
    } finally {
      await store.close();
    }
  });
});

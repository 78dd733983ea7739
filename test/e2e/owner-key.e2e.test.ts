// End to end (SQLite store, the built CLI): the owner key is made only once serve listens. A first
// start on a busy port fails (non-zero exit) and stores no key; the next start makes and prints it
// (it works on an admin endpoint); later starts print that one exists and the command that makes
// another, which works as printed, and make no key themselves.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { STEWARD_JS } from './support/steward.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_'))) as Record<string, string>;

// Runs the CLI to completion; `until`: a serve start, stopped by SIGTERM once its stdout matches.
function steward(cwd: string, args: string[], until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [STEWARD_JS, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (until?.test(stdout)) p.kill('SIGTERM');
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('owner key at first start (sqlite)', () => {
  let dir: string;
  let busy: net.Server;
  let busyPort: number;
  const data = () => path.join(dir, 'data');
  const storedKeys = () => {
    const db = new Database(path.join(data(), 'steward.db'), { readonly: true });
    try {
      return db.prepare('select id, name, scopes from api_keys order by created_at').all() as { id: string; name: string; scopes: string }[];
    } finally {
      db.close();
    }
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-owner-'));
    busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failed first start stores no key; the next prints it; later ones say it exists and how to make another', async () => {
    const failed = await steward(dir, ['serve', '--data', 'data', '--port', String(busyPort), '--json']);
    assert.notEqual(failed.code, 0, failed.stdout);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /EADDRINUSE/);
    assert.deepEqual(storedKeys(), [], 'the failed start stored a key it never printed');

    const first = await steward(dir, ['serve', '--data', 'data', '--port', '0', '--json'], /\n/);
    assert.equal(first.code, 0, first.stderr);
    const banner = JSON.parse(first.stdout.split('\n')[0]);
    assert.ok(banner.owner_key?.secret, first.stdout);
    assert.deepEqual([banner.owner_key_exists, banner.owner_key_made_at], [false, null]);
    assert.deepEqual(storedKeys().map((k) => [k.id, k.name, k.scopes]), [[banner.owner_key.id, 'owner', 'admin']]);

    // The key works on an admin endpoint of a running server.
    const up = spawn(process.execPath, [STEWARD_JS, 'serve', '--data', 'data', '--port', '0', '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        up.stdout.setEncoding('utf8').on('data', (d: string) => ((out += d), out.includes('\n') && resolve(out.split('\n')[0])));
        up.once('close', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const again = JSON.parse(line);
      assert.equal(again.owner_key, null);
      assert.equal(again.owner_key_exists, true);
      assert.equal(again.owner_key_made_at.slice(0, 4), new Date().toISOString().slice(0, 4));
      assert.equal(again.owner_key_command, 'steward keys create --scope admin --name owner --data data');
      const r = await fetch(new URL(`/v1/admin/workspaces/${again.workspace_id}/users`, again.url), { headers: { authorization: `Bearer ${banner.owner_key.secret}` } });
      assert.equal(r.status, 200, await r.text());
      const nope = await fetch(new URL(`/v1/admin/workspaces/${again.workspace_id}/users`, again.url), { headers: { authorization: 'Bearer stw_not_a_key' } });
      assert.equal(nope.status, 401);
    } finally {
      up.kill('SIGTERM');
      await new Promise((r) => up.once('close', r));
    }

    const text = await steward(dir, ['serve', '--data', 'data', '--port', '0'], /Owner key.*\n/);
    assert.equal(text.code, 0, text.stderr);
    const exists = /^Owner key: one exists \(([0-9a-f-]+), made (\S+), shown only then\); make another with: (.+)$/m.exec(text.stdout);
    assert.ok(exists, text.stdout);
    assert.equal(exists[1], banner.owner_key.id);
    assert.doesNotMatch(text.stdout, /stw_/);
    assert.equal(storedKeys().length, 1, 'a later start made a key');

    // The printed command works as printed.
    const made = await steward(dir, exists[3].replace(/^steward /, '').split(' '));
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /Secret \(shown once\): stw_/);
    assert.deepEqual(storedKeys().map((k) => [k.name, k.scopes]), [['owner', 'admin'], ['owner', 'admin']]);
  });
});

// End to end (the built CLI, SQLite and PostgreSQL stores): the owner key is made only once serve listens. A first
// start on a busy port fails (non-zero exit) and stores no key; the next start makes and prints it
// (it works on an admin endpoint); later starts print that one exists and the command that makes
// another, which works as printed, and make no key themselves.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DIALECTS, PG_URL, pgUrlWithSchema, STEWARD_JS } from './support/steward.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_'))) as Record<
  string,
  string
>;

type Key = { id: string; name: string; scopes: string };

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// Runs the CLI (or, with `shell`, a command line as printed, through sh) to completion; `until`: a
// serve start, stopped by SIGTERM once its stdout matches.
function steward(cwd: string, args: string[], until?: RegExp, shell?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = shell ? ['sh', ['-c', shell]] : [process.execPath, [STEWARD_JS, ...args]];
    const p = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (until?.test(stdout)) p.kill('SIGTERM');
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr });
    });
  });
}

for (const dialect of DIALECTS)
  describe(`owner key at first start (${dialect})`, () => {
    let dir: string;
    let busy: net.Server;
    let busyPort: number;
    const schema = `steward_e2e_${crypto.randomBytes(6).toString('hex')}`;
    const store = dialect === 'sqlite' ? ['--data', 'data'] : ['--database-url', pgUrlWithSchema(schema)];
    const KEYS = 'select id, name, scopes from api_keys order by created_at';
    // Read from the store itself, not through Steward.
    const storedKeys = async (): Promise<Key[]> => {
      if (dialect === 'postgres')
        return withPg(async (c) => (await c.query(`set search_path = ${schema}`), (await c.query(KEYS)).rows));
      const db = new Database(path.join(dir, 'data', 'steward.db'), { readonly: true });
      try {
        return db.prepare(KEYS).all() as Key[];
      } finally {
        db.close();
      }
    };

    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-owner-'));
      if (dialect === 'postgres') await withPg((c) => c.query(`CREATE SCHEMA ${schema}`));
      busy = net.createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
      busyPort = (busy.address() as net.AddressInfo).port;
    });
    after(async () => {
      await new Promise((r) => busy.close(r));
      rmSync(dir, { recursive: true, force: true });
      if (dialect === 'postgres') await withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    });

    it('a failed first start stores no key; the next prints it; later ones say it exists and how to make another', async () => {
      const failed = await steward(dir, ['serve', ...store, '--port', String(busyPort), '--json']);
      assert.notEqual(failed.code, 0, failed.stdout);
      assert.equal(failed.stdout, '');
      assert.match(failed.stderr, /EADDRINUSE/);
      assert.deepEqual(await storedKeys(), [], 'the failed start stored a key it never printed');

      const first = await steward(dir, ['serve', ...store, '--port', '0', '--json'], /\n/);
      assert.equal(first.code, 0, first.stderr);
      const banner = JSON.parse(first.stdout.split('\n')[0]);
      assert.ok(banner.owner_key?.secret, first.stdout);
      assert.deepEqual([banner.owner_key_exists, banner.owner_key_made_at], [false, null]);
      assert.deepEqual(
        (await storedKeys()).map((k) => [k.id, k.name, k.scopes]),
        [[banner.owner_key.id, 'owner', 'admin']],
      );

      // The key works on an admin endpoint of a running server.
      const up = spawn(process.execPath, [STEWARD_JS, 'serve', ...store, '--port', '0', '--json'], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          up.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
          up.stdout
            .setEncoding('utf8')
            .on('data', (d: string) => ((out += d), out.includes('\n') && resolve(out.split('\n')[0])));
          up.once('close', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
        });
        const again = JSON.parse(line);
        assert.equal(again.owner_key, null);
        assert.equal(again.owner_key_exists, true);
        assert.equal(again.owner_key_made_at.slice(0, 4), new Date().toISOString().slice(0, 4));
        const storeText = dialect === 'sqlite' ? '--data data' : `--database-url '${pgUrlWithSchema(schema)}'`;
        assert.equal(again.owner_key_command, `steward keys create --scope admin --name owner ${storeText}`);
        const r = await fetch(new URL(`/v1/admin/workspaces/${again.workspace_id}/users`, again.url), {
          headers: { authorization: `Bearer ${banner.owner_key.secret}` },
        });
        assert.equal(r.status, 200, await r.text());
        const nope = await fetch(new URL(`/v1/admin/workspaces/${again.workspace_id}/users`, again.url), {
          headers: { authorization: 'Bearer stw_not_a_key' },
        });
        assert.equal(nope.status, 401);
      } finally {
        // A serve that already exited (the failure above) has no close left to wait for.
        if (up.exitCode === null && up.signalCode === null) {
          const closed = new Promise((r) => up.once('close', r));
          up.kill('SIGTERM');
          await closed;
        }
      }

      const text = await steward(dir, ['serve', ...store, '--port', '0'], /Owner key.*\n/);
      assert.equal(text.code, 0, text.stderr);
      const exists =
        /^Owner key: one exists \(([0-9a-f-]+), made (\S+), shown only then\); make another with: (.+)$/m.exec(
          text.stdout,
        );
      assert.ok(exists, text.stdout);
      assert.equal(exists[1], banner.owner_key.id);
      assert.doesNotMatch(text.stdout, /stw_/);
      assert.equal((await storedKeys()).length, 1, 'a later start made a key');

      // The printed command works as printed (run by a shell).
      const printed = exists[3].replace(/^steward /, `'${process.execPath}' '${STEWARD_JS}' `);
      const made = await steward(dir, [], undefined, printed);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /Secret \(shown once\): stw_/);
      assert.deepEqual(
        (await storedKeys()).map((k) => [k.name, k.scopes]),
        [
          ['owner', 'admin'],
          ['owner', 'admin'],
        ],
      );
    });
  });

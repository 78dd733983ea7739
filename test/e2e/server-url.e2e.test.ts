// Where the printed commands point: `keys create` prints the [otel] block with the server's public URL from
// configuration or the address serve listens on (never a fixed 127.0.0.1:8787); serve's banner names its store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { runCli } from '../support/cli.js';
import { cliEntry } from '../support/cli-entry.js';

describe('keys create: the [otel] endpoint', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-keys-url-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // An import of an empty folder makes the store and its workspace without a server.
  before(async () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    const r = await runCli(['import', 'empty', '--data', 'data'], dir, { HOME: dir });
    assert.equal(r.code, 0, r.stderr);
  });
  const create = (env: Record<string, string>, extra: string[] = []) =>
    runCli(['keys', 'create', '--scope', 'ingest.write', '--shared-collector', '--data', 'data', ...extra], dir, {
      HOME: dir,
      ...env,
    });

  it('uses public_url from the configuration', async () => {
    const r = await create({ STEWARD_PUBLIC_URL: 'https://steward.example.com/' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /endpoint = "https:\/\/steward\.example\.com\/v1\/logs"/);
  });

  it('falls back to the host and port serve listens on', async () => {
    const r = await create({ STEWARD_HOST: '10.1.2.3', STEWARD_PORT: '9000' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /endpoint = "http:\/\/10\.1\.2\.3:9000\/v1\/logs"/);
  });

  it('--server-url still wins', async () => {
    const r = await create({ STEWARD_PUBLIC_URL: 'https://a.example.com' }, ['--server-url', 'http://b:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /endpoint = "http:\/\/b:1\/v1\/logs"/);
  });
});

// serve as runCli runs the other commands (built if fresh, else from src/), so the test needs no build.

describe('serve: the first-start banner', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-banner-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const banner = async (env: Record<string, string | undefined>, data: string) => {
    const p = spawn(process.execPath, [...cliEntry(), 'serve', '--data', data, '--port', '0'], {
      cwd: dir,
      env: { ...env, HOME: dir },
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (p.kill('SIGKILL'), reject(new Error(`no banner: ${out}`))), 30_000);
      p.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('/v1/logs)')) clearTimeout(timer), p.kill('SIGTERM'), resolve();
      });
    });
    await new Promise((r) => p.on('close', r));
    return out;
  };

  it('names the store flags serve was started with and the public URL in its next steps', async () => {
    const out = await banner({ ...process.env, STEWARD_PUBLIC_URL: 'https://steward.example.com' }, 'elsewhere');
    assert.match(out, /Next: steward users add alice@example\.com --data elsewhere && /);
    assert.match(out, /keys create --scope ingest\.write --user alice@example\.com --data elsewhere\n/);
    assert.match(out, /endpoint https:\/\/steward\.example\.com\/v1\/logs/);
  });

  it('names the address serve listens on when only its flags set it (keys create cannot read them)', async () => {
    const { STEWARD_PUBLIC_URL: _, ...env } = process.env;
    const out = await banner(env, 'flags-only');
    const url = /Steward listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url, out);
    assert.ok(out.includes(`--user alice@example.com --data flags-only --server-url ${url}\n`), out);
  });
});

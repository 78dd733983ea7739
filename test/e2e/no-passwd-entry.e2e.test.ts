// A container may run Steward under a uid that has no passwd entry (os.userInfo() throws there).
// Every command must still start, and what it audits names the account as the environment gives it.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { STEWARD_JS } from './support/steward.js';

const asRoot = process.getuid?.() === 0;
const NO_ENTRY = 54_321; // no such account in /etc/passwd

it('the CLI runs under a uid without a passwd entry', { skip: !asRoot && 'needs root to switch uid' }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-nopasswd-'));
  await chmod(dir, 0o777);
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: dir };
    const run = (args: string[]) =>
      spawnSync(process.execPath, [STEWARD_JS, ...args, '--data', path.join(dir, 'store')], {
        cwd: dir,
        env,
        uid: NO_ENTRY,
        gid: NO_ENTRY,
        encoding: 'utf8',
      });
    await mkdir(path.join(dir, 'codex', 'sessions'), { recursive: true, mode: 0o777 });
    // import creates the store, its workspace and the local owner: each audited as the CLI's account.
    const imp = run(['import', '--codex-home', path.join(dir, 'codex'), '--user', 'ci@example.com']);
    assert.equal(imp.status, 0, imp.stderr);
    const list = run(['users', 'list', '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /ci@example\.com/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

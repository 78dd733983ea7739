// Personal commands (import, report) keep one per-user store, wherever they run from, and say where
// it is and where they looked for sessions (decisions/0021); serve keeps ./.steward.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

describe('the personal store of import and report', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-personal-'));
  after(() => fs.rmSync(home, { recursive: true, force: true }));
  const codex = path.join(home, 'codex');
  const env = { HOME: home, XDG_DATA_HOME: '', CODEX_HOME: codex };
  const dirA = path.join(home, 'a');
  const dirB = path.join(home, 'b');
  fs.mkdirSync(dirA);
  fs.mkdirSync(dirB);

  it('is ~/.steward from any directory: one store, one owner key', async () => {
    // The report reads the session files and keeps only its summary cache there (decision 0041).
    const first = await runCli(['report', 'daily'], dirA, env);
    assert.equal(first.code, 0, first.stderr);
    const db = path.join(home, '.steward', 'steward.db');
    assert.ok(first.stdout.includes(`summary cache ${path.join(home, '.steward', 'report-cache.tsv')}`), first.stdout);
    assert.ok(!fs.existsSync(db), 'a report from the files opens no store');
    assert.ok(!fs.existsSync(path.join(dirA, '.steward')), 'nothing in the working directory');
    assert.doesNotMatch(first.stdout, /owner key/);
    assert.ok(first.stdout.includes(`No session files found in ${path.join(codex, 'sessions')}`), first.stdout);
    // Not even a store it could not reach: nothing listens on port 1.
    const unreachable = await runCli(['report', 'daily', '--database-url', 'postgres://127.0.0.1:1/none'], dirA, env);
    assert.equal(unreachable.code, 0, unreachable.stderr);
    const imp = await runCli(['import'], dirA, env);
    assert.equal(imp.code, 0, imp.stderr);
    assert.ok(fs.existsSync(db), 'the store is in ~/.steward');
    assert.ok(imp.stdout.includes(`Store: sqlite ${db}`), imp.stdout);
    assert.match(imp.stdout, /owner key/);
    const again = await runCli(['report', 'daily', '--full'], dirB, env);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.includes(`Store: sqlite ${db}`), again.stdout);
    assert.doesNotMatch(again.stdout, /owner key/, 'a second directory reuses the store');
    assert.ok(!fs.existsSync(path.join(dirB, '.steward')));
  });

  it('is $XDG_DATA_HOME/steward when that is set; --data, steward.toml and STEWARD_DATA still win', async () => {
    const xdg = path.join(home, 'xdg');
    const r = await runCli(['import'], dirA, { ...env, XDG_DATA_HOME: xdg });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`Store: sqlite ${path.join(xdg, 'steward', 'steward.db')}`), r.stdout);
    const own = await runCli(['import', '--data', 'mine'], dirA, env);
    assert.equal(own.code, 0, own.stderr);
    assert.ok(fs.existsSync(path.join(dirA, 'mine', 'steward.db')));
    fs.writeFileSync(path.join(dirB, 'steward.toml'), 'data = "from-toml"\n');
    const toml = await runCli(['import'], dirB, env);
    assert.equal(toml.code, 0, toml.stderr);
    assert.ok(fs.existsSync(path.join(dirB, 'from-toml', 'steward.db')), 'steward.toml data still chooses the store');
    const fromEnv = await runCli(['import'], dirA, { ...env, STEWARD_DATA: 'from-env' });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.ok(fs.existsSync(path.join(dirA, 'from-env', 'steward.db')), 'STEWARD_DATA still chooses the store');
  });

  it('import of a path that does not exist is a usage error (exit 2)', async () => {
    const r = await runCli(['import', 'no-such-folder'], dirA, env);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /no such file or folder: no-such-folder/);
  });
});

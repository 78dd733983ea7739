// The published package runs as an installed `steward` command: the tarball `npm pack` makes holds
// dist/ and its bin starts from outside the checkout. Packed with --ignore-scripts, from the dist/ that
// `npm test` (or `npm run build`) built: `prepare` would rebuild dist/ (vite empties dist/web first)
// while the suite's other files run the built CLI and serve dist/web, which failed them at random. Installing the tarball's dependencies needs the
// registry, so the unpacked package resolves them from the checkout's node_modules: this proves the
// tarball holds a working bin and dist, not that a registry install succeeds.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

it('the packed tarball installs a steward command that runs', { timeout: 180_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-pack-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')), 'run `npm run build` first');
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp, '--silent'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const tarball = path.join(tmp, out.trim().split('\n').pop()!);
  execFileSync('tar', ['-xzf', tarball, '-C', tmp]);
  const pkg = path.join(tmp, 'package');
  assert.ok(fs.existsSync(path.join(pkg, 'dist', 'cli', 'main.js')), 'the tarball holds the built dist/');
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(pkg, 'node_modules'));
  // As npm links a global bin: a symlink on PATH to the package's bin/steward.js.
  const binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  fs.symlinkSync(path.join(pkg, 'bin', 'steward.js'), path.join(binDir, 'steward'));
  const env = { PATH: `${binDir}${path.delimiter}${process.env.PATH}`, HOME: tmp, CODEX_HOME: path.join(tmp, 'codex') };
  const steward = path.join(binDir, 'steward');
  const help = spawnSync(steward, ['--help'], { cwd: tmp, env, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /report/);
  const report = spawnSync(steward, ['report', 'daily'], { cwd: tmp, env, encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  assert.ok(report.stdout.includes(`summary cache ${path.join(tmp, '.steward', 'report-cache.tsv')}`), report.stdout);
});

// Imports point one way only: core <- config <- sources <- pipeline <- storage <- services <- server, cli.
// A file may import its own layer or any layer to its left, never one to its right.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const ORDER = ['core', 'config', 'sources', 'pipeline', 'storage', 'services', 'server', 'cli'];
// server and cli are siblings at the top: neither may import the other.
const FORBIDDEN_SIBLINGS: Record<string, string[]> = { server: ['cli'], cli: ['server'] };
const cliMayUse = new Set(['server/app.js']); // serve starts the app factory
// Only storage/ may open database drivers; only config/ reads the environment and steward.toml.
const DRIVER = /from ['"](better-sqlite3|pg)['"]/;

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

it('layers import only leftwards', () => {
  const problems: string[] = [];
  for (const file of files(SRC)) {
    const rel = path.relative(SRC, file);
    const layer = rel.split(path.sep)[0];
    const li = ORDER.indexOf(layer);
    assert.ok(li >= 0, `${rel} is outside the known layers ${ORDER.join(', ')}`);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from ['"](\.[^'"]+)['"]/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]));
      const tl = target.split(path.sep)[0];
      const ti = ORDER.indexOf(tl);
      if (ti < 0) continue;
      if (FORBIDDEN_SIBLINGS[layer]?.includes(tl) && !(layer === 'cli' && cliMayUse.has(target.replace(/\.ts$/, '.js')))) problems.push(`${rel} -> ${target}`);
      else if (ti > li && !(layer === 'server' && tl === 'cli') && !(layer === 'cli' && tl === 'server')) problems.push(`${rel} -> ${target}`);
    }
    if (DRIVER.test(text) && layer !== 'storage') problems.push(`${rel} imports a database driver`);
    if (/process\.env/.test(text) && layer !== 'config') problems.push(`${rel} reads process.env`);
  }
  assert.deepEqual(problems, []);
});

// Imports point one way only: core <- config <- sources <- pipeline <- storage <- services <- server <- cli.
// A file may import its own layer or any layer to its left, never one to its right; the CLI uses
// only the server's app factory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const ORDER = ['core', 'config', 'sources', 'pipeline', 'storage', 'services', 'server', 'cli'];
// The CLI may start the server (serve builds the app factory), nothing more of it.
const CLI_MAY_IMPORT_FROM_SERVER = new Set(['app/app.ts']);
// Only storage/ may open database drivers; only config/ reads the environment and steward.toml.
const DRIVER = /from ['"](better-sqlite3|pg|pg-copy-streams)['"]/;

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
      const leftward = ti <= li && !(layer === 'cli' && tl === 'server' && !CLI_MAY_IMPORT_FROM_SERVER.has(target.replace(/\.js$/, '.ts')));
      if (!leftward) problems.push(`${rel} -> ${target}`);
    }
    if (DRIVER.test(text) && layer !== 'storage') problems.push(`${rel} imports a database driver`);
    if (/process\.env/.test(text) && layer !== 'config') problems.push(`${rel} reads process.env`);
  }
  assert.deepEqual(problems, []);
});

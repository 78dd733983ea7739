// The house rules (docs/decisions/0014-capability-rooms.md) hold on src/, and each rule still
// catches what it is for: a small tree that breaks it once must be reported.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkTree } from './support/architecture.js';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

it('src/ keeps every house rule', () => {
  assert.deepEqual(checkTree(SRC), []);
});

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-house-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('each rule catches its break', () => {
  const ok = {
    'core/a.ts': 'export const a = 1;\n',
    'compliance/index.ts': "export { c } from './c.js';\n",
    'compliance/c.ts': 'export const c = 1;\n',
  };
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'an import of a room above',
      { 'core/b.ts': "import { c } from '../compliance/index.js';\n" },
      /core\/b\.ts -> compliance\/index\.ts: imports a room above/,
    ],
    [
      'a capability past its index',
      { 'access/x.ts': "import { c } from '../compliance/c.js';\n" },
      /reaches into compliance past its index\.ts/,
    ],
    [
      'a route importing a repository',
      {
        'access/x.repository.ts': 'export const r = 1;\n',
        'access/x.routes.ts': "import { r } from './x.repository.js';\n",
      },
      /a route or command imports a repository/,
    ],
    [
      'a command importing a repository',
      {
        'access/x.repository.ts': 'export const r = 1;\n',
        'cli/x.command.ts': "import { r } from '../access/x.repository.js';\n",
      },
      /a route or command imports a repository/,
    ],
    [
      'client code loading the server',
      {
        'session-files/client/index.ts': "export { s } from '../store.service.js';\n",
        'session-files/store.service.ts': "import { p } from '../platform/storage/db.js';\nexport const s = p;\n",
        'platform/storage/db.ts': 'export const p = 1;\n',
      },
      /client code loads server code/,
    ],
    ['a driver outside storage', { 'ingest/x.ts': "import pg from 'pg';\n" }, /imports a database driver/],
    ['the environment outside config', { 'ingest/x.ts': 'export const x = process.env.X;\n' }, /reads process\.env/],
    ['a file in no room', { 'services/x.ts': 'export const x = 1;\n' }, /is in no room/],
    ['a file too long', { 'core/long.ts': 'export const x = 1;\n'.repeat(401) }, /has 402 lines/],
    ['a line too wide', { 'core/wide.ts': `export const x = '${'x'.repeat(120)}';\n` }, /wider than 120/],
  ];
  it('a tree without breaks passes', () => assert.deepEqual(checkTree(tree(ok)), []));
  for (const [name, files, expected] of cases) {
    it(name, () => {
      const problems = checkTree(tree({ ...ok, ...files }));
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected ${expected} in ${JSON.stringify(problems)}`,
      );
    });
  }
  it('table types may cross rooms, values may not', () => {
    const files = {
      'platform/storage/schema.ts': "import type { T } from '../../compliance/c.tables.js';\n",
      'compliance/c.tables.ts': 'export interface T { a: number }\n',
    };
    assert.deepEqual(checkTree(tree({ ...ok, ...files })), []);
    const value = {
      'platform/storage/schema.ts': "import { T } from '../../compliance/c.tables.js';\n",
      'compliance/c.tables.ts': 'export const T = 1;\n',
    };
    assert.ok(checkTree(tree({ ...ok, ...value })).some((p) => /imports a room above/.test(p)));
  });
});

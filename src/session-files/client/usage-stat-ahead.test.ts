// The stat-ahead thread gives the walk a file's own stat or nothing (the walk stats it then), never
// another file's; a file it could not stat is left to the walk.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { StatAhead } from './usage-stat-ahead.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-stat-ahead-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const paths = ['a', 'b', 'gone', 'c', 'd é'].map((n) => path.join(dir, `rollout-${n}.jsonl`));
paths.forEach((p, i) => p.includes('gone') || writeFileSync(p, 'x'.repeat(i + 1)));
const bytes = Buffer.from(paths.map((p) => `${p}\0`).join(''));

const own = (p: string) => {
  const st = statSync(p, { throwIfNoEntry: false });
  return st && { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
};

it('every row the worker stat’ed is its own file’s stat; a missing file is left to the walk', async () => {
  const ahead = StatAhead.start(bytes, paths.length);
  await ahead.finished();
  paths.forEach((p, j) =>
    p.includes('gone') ? assert.equal(ahead.take(j), undefined) : assert.deepEqual(ahead.take(j), own(p)),
  );
  assert.equal(ahead.take(paths.length), undefined);
  assert.equal(ahead.take(-1), undefined);
  ahead.stop();
});

it('rows the walk claimed first are its own; the worker stops where they meet', async () => {
  for (let round = 0; round < 5; round++) {
    const ahead = StatAhead.start(bytes, paths.length);
    const taken = paths.map((_, j) => ahead.take(j));
    taken.forEach((st, j) => st && assert.deepEqual(st, own(paths[j]!)));
    ahead.stop();
    await ahead.finished();
    assert.deepEqual(
      paths.map((_, j) => ahead.take(j)),
      paths.map(() => undefined),
      'a row is given once',
    );
  }
});

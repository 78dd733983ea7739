// A directory's listing is kept only once its mtime is well in the past, and given back only while
// its inode and mtime are those it was read with.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { DirCache } from './usage-dirs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-dirs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('keeps an old listing, gives it back while the directory is unchanged, reads a changed one', () => {
  const d = path.join(dir, 'a');
  mkdirSync(d);
  const young = new DirCache();
  assert.equal(young.known(d), undefined);
  young.listed(d, ['x.jsonl']);
  assert.deepEqual(young.toKeep(), [], 'changed a moment ago: not kept');

  const old = new Date(Date.now() - 60_000);
  utimesSync(d, old, old);
  const first = new DirCache();
  assert.equal(first.known(d), undefined);
  first.listed(d, ['x.jsonl', 'y/']);
  const kept = first.toKeep();
  assert.equal(kept.length, 1);
  assert.ok(first.changed);

  const again = new DirCache(kept);
  assert.deepEqual(again.known(d), ['x.jsonl', 'y/']);
  assert.equal(again.changed, false);

  writeFileSync(path.join(d, 'z.jsonl'), ''); // a new name: the mtime moves
  const after = new DirCache(kept);
  assert.equal(after.known(d), undefined);
  after.listed(d, ['x.jsonl', 'y/', 'z.jsonl']);
  assert.deepEqual(after.toKeep(), [], 'changed just now: read again next time');
  assert.ok(after.changed);
  assert.equal(new DirCache(kept).known(path.join(dir, 'gone')), undefined);
});

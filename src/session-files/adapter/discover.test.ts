import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { walkImportFiles } from './discover.js';
import { findRolloutFiles } from './list.js';

describe('the listing walked a directory at a time', () => {
  it('gives every rollout file once, in the order of the full paths', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'steward-walk-'));
    // Names where a directory's place differs from its bare name's: 'a' vs 'a-b' vs 'a.jsonl' vs 'a0'.
    const files = [
      'a.jsonl',
      'a/x.jsonl',
      'a/b/y.jsonl.gz',
      'a-b/z.jsonl',
      'a0.jsonl',
      '2026/11/02/rollout-2.jsonl',
      '2026/11/02/rollout-1.jsonl',
      '2026/11/10/rollout-3.jsonl',
      '2026/11/1/rollout-0.jsonl',
      '2026/notes.txt',
      'Z/ü.jsonl',
    ];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), '{}\n');
    }
    const sorted = findRolloutFiles(root).sort();
    assert.equal(sorted.length, files.length - 1);
    assert.deepEqual(
      [...walkImportFiles([root], [])].map((f) => f.path),
      sorted,
    );
    // Roots that overlap: each file once, the first root's order first.
    const under = findRolloutFiles(path.join(root, 'a')).sort();
    assert.deepEqual(
      [...walkImportFiles([path.join(root, 'a'), root], [])].map((f) => f.path),
      [...under, ...sorted.filter((f) => !under.includes(f))],
    );
  });
});

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UsageCache, type CacheEntry } from './usage-cache.js';

const entry = (size: number, thread: string | null = 't1'): CacheEntry => ({
  ino: 7,
  size,
  offset: size,
  mtimeMs: 1_700_000_000_000,
  head: 'a:b',
  final: true,
  threadId: thread,
  cp: null,
  u: [[1, 'gpt-5', null, 1, 10, 2, 3, 1, 99, 0, 5, 6]],
  t: [[1, null, 1]],
});

// What the pass does: every listed path kept, then saved.
function saveListed(c: UsageCache, listed: string[]): void {
  for (const p of listed) c.keep(p);
  c.save();
}

const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').length;

describe('the summary cache file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-cache-'));

  it('appends what changed, and a later line for a path wins', () => {
    const file = path.join(dir, 'a.tsv');
    const c = UsageCache.load(file, 25);
    c.set('/s/x.jsonl', entry(10));
    c.set('/s/y\t"odd".jsonl', entry(20, null));
    saveListed(c, ['/s/x.jsonl', '/s/y\t"odd".jsonl']);
    assert.equal(lines(file), 3); // the header and two files
    const c2 = UsageCache.load(file, 25);
    assert.deepEqual(c2.get('/s/x.jsonl')?.entry, entry(10));
    assert.deepEqual(c2.get('/s/y\t"odd".jsonl')?.entry, entry(20, null));
    c2.set('/s/x.jsonl', entry(30));
    saveListed(c2, ['/s/x.jsonl', '/s/y\t"odd".jsonl']);
    assert.equal(lines(file), 4, 'one line appended, nothing rewritten');
    assert.deepEqual(UsageCache.load(file, 25).get('/s/x.jsonl')?.entry, entry(30));
    // Nothing changed: nothing written.
    const before = readFileSync(file, 'utf8');
    saveListed(UsageCache.load(file, 25), ['/s/x.jsonl', '/s/y\t"odd".jsonl']);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('rewrites itself once most lines are dead, keeping only the listed files', () => {
    const file = path.join(dir, 'b.tsv');
    const c = UsageCache.load(file, 25);
    for (let i = 0; i < 4; i++) c.set(`/s/${i}.jsonl`, entry(i + 1));
    saveListed(
      c,
      [0, 1, 2, 3].map((i) => `/s/${i}.jsonl`),
    );
    const c2 = UsageCache.load(file, 25);
    c2.set('/s/0.jsonl', entry(100));
    saveListed(c2, ['/s/0.jsonl']); // three files gone, one replaced: 1 live line of 5
    assert.equal(lines(file), 2);
    const c3 = UsageCache.load(file, 25);
    assert.deepEqual(c3.get('/s/0.jsonl')?.entry, entry(100));
    assert.equal(c3.get('/s/1.jsonl')?.entry, undefined);
  });

  it('ignores a torn last line and does not glue the next one to it', () => {
    const file = path.join(dir, 'c.tsv');
    const c = UsageCache.load(file, 25);
    c.set('/s/a.jsonl', entry(1));
    c.set('/s/b.jsonl', entry(2));
    saveListed(c, ['/s/a.jsonl', '/s/b.jsonl']);
    appendFileSync(file, '"/s/c.jsonl"\t[1,2,'); // a report that died mid-write
    const c2 = UsageCache.load(file, 25);
    assert.equal(c2.get('/s/c.jsonl')?.entry, undefined);
    c2.set('/s/c.jsonl', entry(3));
    saveListed(c2, ['/s/a.jsonl', '/s/b.jsonl', '/s/c.jsonl']);
    const c3 = UsageCache.load(file, 25);
    assert.deepEqual(c3.get('/s/c.jsonl')?.entry, entry(3));
    assert.deepEqual(c3.get('/s/a.jsonl')?.entry, entry(1));
  });

  it('starts over for another price setting, another version or a file that is not a cache', () => {
    const file = path.join(dir, 'd.tsv');
    const c = UsageCache.load(file, 25);
    c.set('/s/a.jsonl', entry(1));
    saveListed(c, ['/s/a.jsonl']);
    assert.equal(UsageCache.load(file, 30).get('/s/a.jsonl')?.entry, undefined);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"v":4', '"v":3'));
    assert.equal(UsageCache.load(file, 25).get('/s/a.jsonl')?.entry, undefined);
    writeFileSync(file, '{"v":3,"creditsPerUsd":25,"files":{}}');
    const c2 = UsageCache.load(file, 25);
    c2.set('/s/a.jsonl', entry(5));
    saveListed(c2, ['/s/a.jsonl']);
    assert.deepEqual(UsageCache.load(file, 25).get('/s/a.jsonl')?.entry, entry(5));
    assert.equal(UsageCache.load(path.join(dir, 'none.tsv'), 25).get('/s/a.jsonl')?.entry, undefined);
  });

  it('reads a line back by its ref: a new cache from its file, an old one from its buffer, an added one', () => {
    const file = path.join(dir, 'e.tsv');
    const c = UsageCache.load(file, 25);
    const refs = Array.from({ length: 10_000 }, (_, i) => c.set(`/s/ü${i}\t.jsonl`, entry(i + 1))); // > 1 MB: flushed
    for (const i of [0, 1, 9999])
      assert.deepEqual(c.resolve(refs[i]!), { path: `/s/ü${i}\t.jsonl`, entry: entry(i + 1) });
    c.save();
    const c2 = UsageCache.load(file, 25);
    const old = c2.get('/s/ü7\t.jsonl')!;
    assert.deepEqual(c2.resolve(old.ref), { path: '/s/ü7\t.jsonl', entry: entry(8) });
    const added = c2.set('/s/new.jsonl', entry(5, 't9'));
    assert.deepEqual(c2.resolve(added), { path: '/s/new.jsonl', entry: entry(5, 't9') });
    // Without a file to write (no cache path), the lines are held.
    const none = UsageCache.load(undefined, 25);
    const [a, b] = [none.set('/s/a.jsonl', entry(2)), none.set('/s/b.jsonl', entry(3))];
    assert.deepEqual(none.resolve(a), { path: '/s/a.jsonl', entry: entry(2) });
    assert.deepEqual(none.resolve(b), { path: '/s/b.jsonl', entry: entry(3) });
  });

  it("lazy: finds a path's last whole line by searching, appends only, as a cache noted whole would", () => {
    const file = path.join(dir, 'f.tsv');
    const c = UsageCache.load(file, 25);
    const odd = '/s/y\t"odd"ü.jsonl';
    c.set('/s/x.jsonl', entry(10));
    c.set(odd, entry(20, null));
    c.set('/s/z.jsonl', entry(30));
    saveListed(c, ['/s/x.jsonl', odd, '/s/z.jsonl']);
    const c1 = UsageCache.load(file, 25);
    c1.set('/s/x.jsonl', entry(11)); // a later line for x
    saveListed(c1, ['/s/x.jsonl', odd, '/s/z.jsonl']);
    appendFileSync(file, '"/s/z.jsonl"\t[1,2,'); // a torn last line for z
    const lazy = UsageCache.load(file, 25, true);
    assert.deepEqual(lazy.get('/s/x.jsonl')?.entry, entry(11));
    assert.deepEqual(lazy.get(odd)?.entry, entry(20, null));
    assert.deepEqual(lazy.get('/s/z.jsonl')?.entry, entry(30));
    assert.equal(lazy.get('/s/x')?.entry, undefined);
    assert.equal(lazy.get('/s/none.jsonl')?.entry, undefined);
    lazy.take('/s/x.jsonl');
    lazy.set('/s/x.jsonl', entry(12));
    assert.equal(lazy.lazyRewrite(2, 3, 1), false); // 4 lines + 1 for 3 files: 2 dead
    lazy.save();
    const whole = UsageCache.load(file, 25);
    assert.deepEqual(whole.get('/s/x.jsonl')?.entry, entry(12));
    assert.deepEqual(whole.get(odd)?.entry, entry(20, null));
    // The torn line, ended by the append, is z's last line now: unreadable either way (a re-read).
    for (const p of ['/s/x.jsonl', odd, '/s/z.jsonl'])
      assert.deepEqual(UsageCache.load(file, 25, true).get(p)?.entry, whole.get(p)?.entry, p);
    assert.equal(UsageCache.load(file, 25, true).lazyRewrite(0, 1, 0), true, '5 lines for 1 file: a rewrite');
  });
});

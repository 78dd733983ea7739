// A repeat from the summary cache's totals (decision 0065) gives exactly a fresh pass's figures:
// nothing new, a file grown, new, removed, replaced (same path, new inode), truncated, rewritten in
// place, turned final, and a copy sharing another file's thread (left to the full pass), with and
// without the thread kept, on this thread and on reader threads.
import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { usagePass } from './usage-pass.service.js';
import { reportFromSlots, type ReportKind } from './usage-report.js';
import { Totals, totalsPathOf } from './usage-totals.js';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/rollouts');
const RESUMED = '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl';
const OLDER = 'older/rollout-2025-10-14T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001.jsonl';
const COMPACTED = '0.169/compaction/rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl';

for (const byThread of [true, false])
  describe(`a repeat from the totals equals a fresh pass (${byThread ? 'per thread' : 'per period'})`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-repeat-'));
    const sessions = path.join(dir, 'sessions');
    const cachePath = path.join(dir, 'report-cache.tsv');
    cpSync(FIXTURES, sessions, { recursive: true });
    // Directories changed an hour ago: their listings are kept (usage-dirs.ts), and a repeat reads
    // only those that change.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const n of readdirSync(sessions, { recursive: true }) as string[])
      if (statSync(path.join(sessions, n)).isDirectory()) utimesSync(path.join(sessions, n), hourAgo, hourAgo);
    utimesSync(sessions, hourAgo, hourAgo);
    const at = (rel: string) => path.join(sessions, rel);
    let now = Date.now() + 3_600_000; // every file idle: final
    after(() => rmSync(dir, { recursive: true, force: true }));

    const reports = (r: Awaited<ReturnType<typeof usagePass>>) => {
      const kinds: ReportKind[] = byThread ? ['daily', 'monthly', 'session'] : ['daily', 'weekly', 'monthly'];
      return kinds.flatMap((k) =>
        ['UTC', 'Asia/Kathmandu'].map((timezone) =>
          JSON.parse(JSON.stringify(reportFromSlots(k, { timezone }, r.usage, r.turns))),
        ),
      );
    };
    const pass = (cached: boolean, threads = 1) =>
      usagePass({
        paths: [sessions],
        cachePath: cached ? cachePath : undefined,
        creditsPerUsd: 25,
        now: () => now,
        byThread,
        threads,
        parallelFromBytes: threads > 1 ? 0 : undefined,
      });
    /** The cached pass against a fresh one; the totals valid afterwards. */
    async function same(read: number, threads = 1) {
      const cached = await pass(true, threads);
      const fresh = await pass(false);
      assert.equal(cached.summary.files.read, read, JSON.stringify(cached.summary));
      assert.equal(cached.summary.files.found, fresh.summary.files.found);
      assert.deepEqual(reports(cached), reports(fresh));
      const t = Totals.load(cachePath, 25, byThread);
      assert.ok(t, 'totals valid for the cache as written');
      assert.equal(t.files, fresh.summary.files.found);
      return cached;
    }

    it('a first pass writes the totals; a repeat reads nothing and writes nothing', async () => {
      await same(statsOf(sessions));
      assert.ok(Totals.load(cachePath, 25, byThread)!.dirs.length >= 5, 'listings kept');
      const before = readFileSync(totalsPathOf(cachePath, byThread));
      const cacheBefore = statSync(cachePath).mtimeMs;
      await same(0);
      assert.deepEqual(readFileSync(totalsPathOf(cachePath, byThread)), before);
      assert.equal(statSync(cachePath).mtimeMs, cacheBefore);
    });

    it('a grown file is read from its checkpoint, alone', async () => {
      const text = readFileSync(at(RESUMED), 'utf8');
      const lines = text.trimEnd().split('\n').slice(-12);
      const extra = lines
        .map((l) => l.replace(/resp_(\d+)/g, 'resp_9$1').replace(/01a200dc-([0-9a-f]{4})-7/g, '01a200dc-$1-8'))
        .map((l) => l.replace(/"timestamp": ?"2026-11-22T01/g, '"timestamp":"2026-11-23T01'));
      const kept = Totals.load(cachePath, 25, byThread)!.dirs;
      appendFileSync(at(RESUMED), `${extra.join('\n')}\n`);
      await same(1);
      assert.deepEqual(Totals.load(cachePath, 25, byThread)!.dirs, kept, 'the listings kept as they were read');
      await same(0);
    });

    it('a new file, a removed one, on reader threads too', async () => {
      cpSync(at(OLDER), at('older/rollout-2025-10-15T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b002.jsonl'));
      const copy = readFileSync(at(OLDER), 'utf8').replaceAll('0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001', 'x-new-thread');
      writeFileSync(at('older/rollout-2025-10-15T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b002.jsonl'), copy);
      await same(1, 2);
      rmSync(at(COMPACTED));
      await same(0);
    });

    it('replaced (same path, new inode), truncated, rewritten in place', async () => {
      const text = readFileSync(at(RESUMED), 'utf8');
      writeFileSync(`${at(RESUMED)}.tmp`, text);
      renameSync(`${at(RESUMED)}.tmp`, at(RESUMED));
      const r = await same(1);
      assert.equal(r.summary.files.reset, 1);
      writeFileSync(at(RESUMED), text.trimEnd().split('\n').slice(0, -12).join('\n') + '\n');
      await same(1);
      const st = statSync(at(RESUMED));
      writeFileSync(at(RESUMED), readFileSync(at(RESUMED), 'utf8').replace('2026-11-22T01', '2026-11-21T01'));
      utimesSync(at(RESUMED), st.atime, new Date(st.mtimeMs + 1000));
      await same(1);
    });

    it('a file not yet final is read again once it is', async () => {
      const t = new Date(Date.now() + 7_200_000); // the others stay final
      utimesSync(at(OLDER), t, t);
      now = t.getTime() + 1000;
      await same(1); // read, not final
      await same(0);
      now += 3_600_000;
      const r = await same(1);
      assert.equal(r.summary.files.unchanged, r.summary.files.found - 1);
    });

    it('more changed files than are looked for one by one', async () => {
      const t = new Date(Date.now() - 7_200_000);
      const files = (readdirSync(sessions, { recursive: true }) as string[]).filter((n) => n.endsWith('.jsonl'));
      assert.ok(files.length > 6);
      for (const n of files.slice(0, 6)) utimesSync(at(n), t, t);
      await same(6);
      await same(0);
    });

    it('a copy sharing a thread, grown and removed: the full pass reads them together', async () => {
      cpSync(at(RESUMED), at('archived/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl'));
      await same(1);
      appendFileSync(at(RESUMED), '{"timestamp":"2026-11-24T00:00:00.000Z","type":"event_msg","payload":{}}\n');
      await same(1);
      rmSync(path.join(sessions, 'archived'), { recursive: true });
      await same(0);
    });
  });

function statsOf(dir: string): number {
  return readdirSync(dir, { recursive: true }).filter((n) => /rollout-[^/]*\.jsonl(\.gz)?$/.test(String(n))).length;
}

it('a report per period and one per session in turn keep a totals file each', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-repeat-kinds-'));
  try {
    const sessions = path.join(dir, 'sessions');
    cpSync(path.join(FIXTURES, 'older'), sessions, { recursive: true });
    const cachePath = path.join(dir, 'report-cache.tsv');
    const pass = (byThread: boolean) =>
      usagePass({ paths: [sessions], cachePath, creditsPerUsd: 25, now: () => Date.now() + 3_600_000, byThread });
    await pass(false);
    await pass(true);
    for (const byThread of [false, true]) {
      const t = Totals.load(cachePath, 25, byThread);
      assert.ok(t && t.files > 0, `totals ${byThread ? 'per thread' : 'per period'}`);
      const again = await pass(byThread);
      assert.equal(again.summary.files.read, 0);
      assert.ok(readFileSync(totalsPathOf(cachePath, byThread)).length > 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

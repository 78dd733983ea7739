// The usage-only pass (steward report) against the full import into a store, on both databases:
// every fixture (the real 0.169 captures, the older formats, the shared capture set) copied into one
// sessions folder, each report kind and time zone equal to the store's report; then the summary cache:
// a repeat reads nothing, a grown file is read from its checkpoint and a rewritten one from the start,
// with figures equal to a fresh full import of the same files each time.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../../src/app/runtime.js';
import { cliActor } from '../../src/cli/shared.js';
import { importRollouts } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { buildReport } from '../../src/session-files/report.service.js';
import { reportFromSlots, type ReportKind } from '../../src/session-files/client/usage-report.js';
import { usagePass } from '../../src/session-files/client/usage-pass.service.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const ROOTS = ['test/fixtures/rollouts', '/work/shared/fixtures/codex-0.169'];
const later = () => Date.now() + 3_600_000; // every file idle: final

function fixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return fixtures(p);
    return /\.jsonl(\.gz)?$/.test(n) ? [p] : [];
  });
}

const strip = (r: { rows: unknown[]; totals: unknown }) =>
  JSON.parse(JSON.stringify({ rows: r.rows, totals: r.totals }));

for (const dialect of DIALECTS) {
  describe(`usage-only pass equals the full import (${dialect})`, () => {
    let store: TestStore;
    let dir: string;
    let sessions: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'steward-usage-pass-'));
      sessions = path.join(dir, 'sessions');
      mkdirSync(sessions, { recursive: true });
      // Same file names in both roots are the same captures: one copy of each.
      for (const f of ROOTS.flatMap(fixtures)) {
        const to = path.join(sessions, path.basename(f));
        if (!existsSync(to)) copyFileSync(f, to);
      }
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function storeReports(): Promise<Record<string, unknown>> {
      store = await makeStore(dialect);
      try {
        const owner = await localOwner(store.db, 'me@here', cliActor());
        await importRollouts(createRuntime(store).ingest, {
          paths: [sessions],
          principal: owner.principal,
          creditsPerUsd: 25,
          now: later,
        });
        const out: Record<string, unknown> = {};
        for (const kind of ['daily', 'weekly', 'monthly', 'session'] as ReportKind[])
          for (const timezone of ['UTC', 'Asia/Kathmandu'])
            out[`${kind} ${timezone}`] = strip(
              await buildReport(store.db, kind, { workspaceId: owner.workspace.id, userId: owner.user.id, timezone }),
            );
        return out;
      } finally {
        await store.cleanup();
      }
    }

    async function passReports(cachePath?: string) {
      const r = await usagePass({ paths: [sessions], cachePath, creditsPerUsd: 25, now: later });
      const out: Record<string, unknown> = {};
      for (const kind of ['daily', 'weekly', 'monthly', 'session'] as ReportKind[])
        for (const timezone of ['UTC', 'Asia/Kathmandu'])
          out[`${kind} ${timezone}`] = strip(reportFromSlots(kind, { timezone }, r.usage, r.turns));
      return { out, summary: r.summary };
    }

    it('every report kind equals the store report after a full import', async () => {
      const full = await storeReports();
      const { out, summary } = await passReports();
      assert.ok(summary.files.found >= 10, `${summary.files.found} files`);
      const totals = (full['daily UTC'] as { totals: { totalTokens: number; turns: number } }).totals;
      assert.ok(totals.totalTokens > 0 && totals.turns > 0, JSON.stringify(totals));
      assert.deepEqual(out, full);
      // The same on worker threads.
      const r = await usagePass({ paths: [sessions], creditsPerUsd: 25, now: later, threads: 2, parallelFromBytes: 0 });
      assert.equal(r.summary.files.read, summary.files.found);
      assert.deepEqual(strip(reportFromSlots('daily', { timezone: 'UTC' }, r.usage, r.turns)), full['daily UTC']);
      // Without the thread (a report per period): rows per quarter hour and model, the same reports.
      for (const threads of [1, 2]) {
        const flat = await usagePass({
          paths: [sessions],
          creditsPerUsd: 25,
          now: later,
          byThread: false,
          threads,
          parallelFromBytes: 0,
        });
        assert.ok(flat.usage.length < r.usage.length, `${flat.usage.length} rows, ${r.usage.length} by thread`);
        for (const kind of ['daily', 'weekly', 'monthly'] as ReportKind[])
          for (const timezone of ['UTC', 'Asia/Kathmandu'])
            assert.deepEqual(
              strip(reportFromSlots(kind, { timezone }, flat.usage, flat.turns)),
              full[`${kind} ${timezone}`],
              `${kind} ${timezone}, ${threads} thread(s)`,
            );
      }
    });

    it('the summary cache: a repeat reads nothing, a grown file continues, a rewritten one restarts', async () => {
      const cache = path.join(dir, 'report-cache.tsv');
      const first = await passReports(cache);
      assert.equal(first.summary.files.read, first.summary.files.found);
      const repeat = await passReports(cache);
      assert.equal(repeat.summary.files.read, 0);
      assert.deepEqual(repeat.out, first.out);

      // Grow one file by a second copy of its own last turn under new ids (new turn, new responses).
      const grown = readdirSync(sessions)
        .map((n) => path.join(sessions, n))
        .find((p) => p.includes('01a200dc') && p.endsWith('.jsonl'))!;
      const text = await readFile(grown, 'utf8');
      const lines = text.trimEnd().split('\n');
      const extra = lines
        .slice(-12)
        .map((l) => l.replace(/resp_(\d+)/g, 'resp_9$1').replace(/01a200dc-([0-9a-f]{4})-7/g, '01a200dc-$1-8'))
        .map((l) => l.replace(/"timestamp": "2026-11-22T01/g, '"timestamp": "2026-11-23T01'));
      await appendFile(grown, `${extra.join('\n')}\n`);
      const after1 = await passReports(cache);
      assert.equal(after1.summary.files.read, 1);
      assert.equal(after1.summary.files.reset, 0);
      assert.notDeepEqual(after1.out, first.out);
      assert.deepEqual(after1.out, await storeReports());

      // Rewrite it (same size, other bytes at its head): read from the start.
      await writeFile(grown, text.replace('"timestamp": "2026-11-22T01', '"timestamp": "2026-11-21T01'));
      const after2 = await passReports(cache);
      assert.equal(after2.summary.files.read, 1);
      assert.equal(after2.summary.files.reset, 1);
      assert.deepEqual(after2.out, await storeReports());
      assert.deepEqual((await passReports(cache)).summary.files.read, 0);
    });
  });
}

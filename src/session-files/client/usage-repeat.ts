// A repeat report from the last pass's totals (decision 0065): every listed file is stat'ed and
// compared with its row in the totals; with nothing changed the totals' sums are the answer (no
// cache line parsed, nothing written). With a few files changed, new or gone, their old lines' sums
// are taken out of the totals, the changed and new ones read (from their checkpoints when they
// grew) and added, and the cache and the totals written anew. Exact because every figure kept is a
// sum (decision 0054), so long as no file shares its own thread with another listed file: those are
// read together (usage-pass.service.ts, Owners), and a change touching one is left to the full pass.
import { walkImportFiles, type FileEntry } from '../adapter/discover.js';
import { UsageCache, type CacheEntry } from './usage-cache.js';
import { rowsOf, SlotSums } from './slot-sums.js';
import { Listing, type Totals } from './usage-totals.js';
import { DirCache } from './usage-dirs.js';
import {
  finalNow,
  jobsOf,
  newSummary,
  readJobs,
  type Listed,
  type PassResult,
  type UsagePassOptions,
} from './usage-jobs.js';
import type { UsagePassSummary } from './usage-jobs.js';

/**
 * The pass from the totals; else what the full pass must do it (a shared thread, an error), with
 * what was read here already (its lines are in the cache by then, and the full pass finds them
 * unchanged) for its summary.
 */
// Changed and removed files up to this many are looked for in the cache file one by one (a search
// from its end each, ~10 ms in 30 MB); more, and the cache notes where every line is (~100 ms).
const LAZY_FILES = 4;

export async function repeatFromTotals(
  prior: Totals,
  opts: UsagePassOptions,
  cachePath: string,
  byThread: boolean,
): Promise<PassResult | { fallback: UsagePassSummary | undefined }> {
  const final = finalNow(opts);
  const summary = newSummary();
  // Per listed file: its row in the totals when unchanged, else -1 - its index in `changed`.
  const order: number[] = [];
  const changed: (Listed & { was: number })[] = [];
  const seen = new Uint8Array(prior.files);
  let hint = 0;
  const dirs = new DirCache(prior.dirs);
  for (const f of walkImportFiles(opts.paths, summary.errors, dirs)) {
    const index = summary.files.found++;
    const fin = final(f);
    const j = prior.find(f.path, hint);
    if (j >= 0) {
      seen[j] = 1;
      hint = j + 1;
      if (prior.same(j, f, fin)) {
        order.push(j);
        continue;
      }
    }
    order.push(-1 - changed.length);
    changed.push({ f, index, final: fin, was: j });
  }
  if (summary.errors.length) return { fallback: undefined }; // the full pass reports them as always
  const removed: number[] = [];
  for (let j = 0; j < prior.files; j++) if (!seen[j]) removed.push(j);
  if (!changed.length && !removed.length) {
    summary.files.unchanged = summary.files.found;
    // A listing read that the next repeat can keep (or one no longer good): written, nothing else.
    if (dirs.changed) prior.saveChanged(cachePath, opts.creditsPerUsd, byThread, [], prior.sums, dirs.toKeep());
    return { ...rowsOf(prior.sums), summary };
  }
  const sums = new SlotSums(byThread);
  sums.addBlock(prior.sums);

  // A few files' old lines are searched for in the cache; more, and it is noted whole.
  const lazy = changed.length + removed.length <= LAZY_FILES;
  const cache = UsageCache.load(cachePath, opts.creditsPerUsd, lazy);
  const moved = new Map<string, number>(); // thread -> change in the listed files that own it
  const owners = (t: string) => prior.owners(t) + (moved.get(t) ?? 0);
  // A file's old part out of the sums; false when it cannot be (no line, or its thread is shared).
  const takeOut = (j: number): boolean => {
    const old = cache.get(prior.paths[j]!);
    const t = old?.entry.threadId ?? null;
    if (!old || t !== prior.thread(j) || (t && owners(t) > 1)) return false;
    sums.add(old.entry, t, -1);
    if (t) moved.set(t, (moved.get(t) ?? 0) - 1);
    return true;
  };
  for (const j of removed) if (!takeOut(j)) return { fallback: undefined };
  for (const c of changed) if (c.was >= 0 && !takeOut(c.was)) return { fallback: undefined };
  const unchangedRows = order.length - changed.length;
  if (!lazy) {
    for (const j of order) if (j >= 0) cache.keep(prior.paths[j]!);
  } else if (cache.lazyRewrite(unchangedRows, order.length, changed.length)) return { fallback: undefined };

  // What the changed files turn out to own: a thread another listed file has too needs the full pass.
  const threads: (string | null)[] = changed.map(() => null);
  let shared = false;
  const own = (i: number, t: string | null) => {
    threads[i] = t;
    if (!t) return;
    if (owners(t) > 0) shared = true;
    moved.set(t, (moved.get(t) ?? 0) + 1);
  };
  const pos = new Map(changed.map((c, i) => [c.index, i]));
  const same = (l: Listed, e: CacheEntry) => {
    sums.add(e, e.threadId);
    own(pos.get(l.index)!, e.threadId);
  };
  const keep = (job: { index: number; path: string }, line: string, t: string | null) => {
    cache.setLine(job.path, line);
    own(pos.get(job.index)!, t);
  };
  await readJobs(jobsOf(changed, cache, summary, same), opts, byThread, summary, keep, (a) => sums.addBlock(a.sums));
  summary.files.unchanged += unchangedRows;

  try {
    cache.save(); // its new lines are right whatever follows: the full pass then finds them
  } catch {
    // a cache that cannot be written costs the next report a re-read, never this one
  }
  if (shared || summary.errors.length) return { fallback: summary };
  const inPlace = !removed.length && changed.every((c, i) => c.was >= 0 && threads[i] === prior.thread(c.was));
  if (inPlace) {
    const rows = changed.map((c): [number, FileEntry, boolean] => [c.was, c.f, c.final]);
    prior.saveChanged(
      cachePath,
      opts.creditsPerUsd,
      byThread,
      rows,
      sums.block(),
      dirs.changed ? dirs.toKeep() : undefined,
    );
    return { ...sums.rows(), summary };
  }
  const listing = new Listing();
  try {
    for (const j of order)
      if (j >= 0) listing.addRow(...prior.row(j), prior.thread(j));
      else listing.add(changed[-1 - j]!.f, changed[-1 - j]!.final, threads[-1 - j]!);
    listing.save(cachePath, opts.creditsPerUsd, byThread, sums.block(), dirs.toKeep());
  } catch {
    // a cache that cannot be written costs the next report a re-read, never this one
  }
  return { ...sums.rows(), summary };
}

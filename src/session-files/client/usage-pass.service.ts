// The usage-only pass behind `steward report` (decision 0027): session files read by the parser's
// usage-only mode and summed per file into quarter hour x model x thread (responses) and quarter
// hour x thread (counted turns), the rows the store's report queries return, so one report builder
// serves both. Each file's sums and its parser checkpoint are kept in a summary cache beside the
// personal store: an unchanged file costs a stat, a grown one is read from its checkpoint, a
// replaced or rewritten one (inode, shrink or the content check of its head) from the start.
// Nothing is kept per file while the pass runs (decision 0054) but the listing for the totals: the
// listing is walked a directory at a time, each file's sums are added to running sums as they
// come, and only a file's own thread is remembered, for the few files of one thread, read again
// together at the end. A repeat starts from the last pass's totals instead (usage-repeat.ts,
// decision 0065) and comes here only for a change they cannot take.
import { walkImportFiles } from '../adapter/discover.js';
import { UsageCache, type CacheEntry } from './usage-cache.js';
import { SlotSums } from './slot-sums.js';
import { toTuples } from './usage-cache-rows.js';
import { Listing, Totals } from './usage-totals.js';
import { DirCache } from './usage-dirs.js';
import { repeatFromTotals } from './usage-repeat.js';
import {
  finalNow,
  jobsOf,
  newSummary,
  readJobs,
  type Job,
  type Listed,
  type PassResult,
  type UsagePassOptions,
} from './usage-jobs.js';

export type { UsagePassOptions } from './usage-jobs.js';

/** Sums of every session file under `paths`, reading only what changed since the cached pass. */
export async function usagePass(opts: UsagePassOptions): Promise<PassResult> {
  const byThread = opts.byThread ?? true;
  const totals = opts.cachePath ? Totals.load(opts.cachePath, opts.creditsPerUsd, byThread) : undefined;
  const r = totals && (await repeatFromTotals(totals, opts, opts.cachePath!, byThread));
  if (r && !('fallback' in r)) return r;
  // No totals, or a change they cannot take (see repeatFromTotals): the pass over the cache lines.
  const final = finalNow(opts);
  const summary = newSummary();
  const cache = UsageCache.load(opts.cachePath, opts.creditsPerUsd);
  const sums = new SlotSums(byThread);
  const owners = new Owners();
  const listing = new Listing();
  const dirs = new DirCache();

  // The listing, walked as the readers ask for files: an unchanged file is added from its cached
  // line on the way, a changed one becomes a job.
  function* listed(): Generator<Listed> {
    for (const f of walkImportFiles(opts.paths, summary.errors, dirs)) {
      summary.files.found++;
      const fin = final(f);
      yield { f, index: listing.add(f, fin, null), final: fin };
    }
  }
  const same = (l: Listed, e: CacheEntry, ref: number) => {
    sums.add(e, e.threadId);
    owners.note(e.threadId, l.index, ref);
    listing.threads[l.index] = e.threadId;
  };
  const keep = (job: Job, line: string, own: string | null) => {
    owners.note(own, job.index, cache.setLine(job.path, line));
    listing.threads[job.index] = own;
  };
  await readJobs(jobsOf(listed(), cache, summary, same), opts, byThread, summary, keep, (a) => sums.addBlock(a.sums));

  await owners.readTogether(cache, sums, opts.creditsPerUsd);
  try {
    cache.save();
    // Totals only of a pass without errors: a file that failed is read again next time.
    if (opts.cachePath && !summary.errors.length)
      listing.save(opts.cachePath, opts.creditsPerUsd, byThread, sums.block(), dirs.toKeep());
  } catch {
    // a cache that cannot be written costs the next report a re-read, never this one
  }
  const before = r?.fallback; // files the repeat read before it handed over: read by this pass
  if (before) {
    summary.files.read += before.files.read;
    summary.files.unchanged -= before.files.read;
    summary.files.reset += before.files.reset;
    summary.lines += before.lines;
    summary.skipped += before.skipped;
  }
  return { ...sums.rows(), summary };
}

/**
 * The files of each thread. The store keeps one row per natural key, and a response's key is scoped
 * to its file's own thread: only files of one thread (a session kept both as .jsonl and .jsonl.gz, a
 * copy in archived_sessions) can repeat each other. Their sums, already added one file at a time,
 * are taken back out and the files read again together, in listing order, with one set of keys, so
 * the first file's record wins as in an import. Per thread only its first file's listing index and
 * cache ref are kept (a few MB for 58,000 files), and the others only for the threads that have them.
 */
class Owners {
  private readonly first = new Map<string, [number, number]>(); // thread -> [listing index, cache ref]
  private readonly more = new Map<string, [number, number][]>();

  note(thread: string | null, index: number, ref: number): void {
    if (!thread) return;
    const f = this.first.get(thread);
    if (!f) this.first.set(thread, [index, ref]);
    else {
      const m = this.more.get(thread);
      if (m) m.push([index, ref]);
      else this.more.set(thread, [f, [index, ref]]);
    }
  }

  async readTogether(cache: UsageCache, sums: SlotSums, creditsPerUsd: number): Promise<void> {
    if (!this.more.size) return;
    const { summarizeFile } = await import('./usage-sums.js');
    for (const [thread, files] of this.more) {
      files.sort((a, b) => a[0] - b[0]);
      const group = files.map(([, ref]) => cache.resolve(ref));
      if (group.some((g) => !g)) throw new Error(`the summary cache lost a line of thread ${thread}`);
      for (const g of group) sums.add(g!.entry, thread, -1);
      const seen = new Set<string>();
      for (const g of group) {
        const r = await summarizeFile(g!.path, { final: g!.entry.final, creditsPerUsd, seen });
        sums.add(toTuples(r, thread), thread);
      }
    }
  }
}

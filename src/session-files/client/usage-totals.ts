// The summary cache's totals (decision 0065): beside report-cache.tsv, the listing the last pass saw
// (each file's path, stat and own thread, in listing order) and its finished sums, so a repeat with
// nothing new stats every file, compares it with its row here and prints these sums without parsing
// a single cache line; with a few files changed it takes their old lines' sums out of these and adds
// their new ones. Valid only with the cache file it was written after (that file's inode, size and
// mtime are in the header): any other writer of the cache, or a torn write, makes it unused, which
// costs a full pass over the cache lines, never a wrong figure.
//
// Layout: a JSON header line, then the paths (UTF-8, each ended by NUL: a path cannot hold one),
// zero bytes up to a multiple of 8, a Float64Array of [ino, size, mtimeMs, final] per file, the own
// threads ('' for none, each ended by NUL), the sums block as JSON, and the directory listings
// kept (usage-dirs.ts) as JSON. One read, one split, no
// JSON.parse per file: 58,000 files' rows parsed from JSON cost more than their stats.
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writevSync } from 'node:fs';
import type { FileEntry } from '../adapter/discover.js';
import type { SumsBlock } from './slot-sums.js';
import type { KeptDir } from './usage-dirs.js';

const TOTALS_VERSION = 2;
const FIELDS = 4;

interface Header {
  v: number;
  creditsPerUsd: number;
  byThread: boolean;
  cache: [number, number, number]; // the cache file's ino, size, mtimeMs when this was written
  files: number;
  paths: number; // bytes of each section
  threads: number;
  sums: number;
  dirs: number;
}

// One file per kind of sums (a report per session keeps each file's thread, one per period does not),
// so `report daily` and `report session` in turn do not replace each other's totals.
export const totalsPathOf = (cachePath: string, byThread: boolean) =>
  `${cachePath.replace(/\.tsv$/, '')}${byThread ? '.threads' : ''}.totals`;

function cacheStat(cachePath: string): [number, number, number] | undefined {
  try {
    const st = statSync(cachePath);
    return [st.ino, st.size, st.mtimeMs];
  } catch {
    return undefined;
  }
}

/** The last pass's listing and sums, as read back. */
export class Totals {
  private threadList: string[] | undefined;
  private index: Map<string, number> | undefined;
  private delimited: string | undefined;

  private constructor(
    readonly paths: string[],
    private readonly stat: Float64Array,
    private readonly threadText: string,
    readonly sums: SumsBlock,
    readonly dirs: KeptDir[],
    private readonly raw: { paths: Buffer; threads: Buffer; dirs: Buffer }, // the sections as read, for saveChanged
  ) {}

  get files(): number {
    return this.paths.length;
  }

  /** The totals written after the cache file as it now is, for this setting; else undefined. */
  static load(cachePath: string, creditsPerUsd: number, byThread: boolean): Totals | undefined {
    try {
      const buf = readFileSync(totalsPathOf(cachePath, byThread));
      const nl = buf.indexOf(0x0a);
      const h = JSON.parse(buf.toString('utf8', 0, nl)) as Header;
      const st = cacheStat(cachePath);
      if (h.v !== TOTALS_VERSION || h.creditsPerUsd !== creditsPerUsd || h.byThread !== byThread) return undefined;
      if (!st || st.some((x, i) => x !== h.cache[i])) return undefined;
      let at = nl + 1;
      const paths = h.files ? buf.toString('utf8', at, at + h.paths - 1).split('\0') : [];
      at = align(at + h.paths);
      const stat = new Float64Array(h.files * FIELDS);
      new Uint8Array(stat.buffer).set(buf.subarray(at, at + stat.byteLength));
      at += stat.byteLength;
      const threads = buf.toString('utf8', at, at + h.threads);
      at += h.threads; // threads' bytes: [at - h.threads, at)
      const sums = JSON.parse(buf.toString('utf8', at, at + h.sums)) as SumsBlock;
      at += h.sums;
      const dirs = JSON.parse(buf.toString('utf8', at, at + h.dirs)) as KeptDir[];
      if (paths.length !== h.files || at + h.dirs !== buf.length) return undefined;
      const pathBytes = buf.subarray(nl + 1, nl + 1 + h.paths);
      const threadBytes = buf.subarray(at - h.sums - h.threads, at - h.sums);
      const dirBytes = buf.subarray(at, at + h.dirs);
      return new Totals(paths, stat, threads, sums, dirs, { paths: pathBytes, threads: threadBytes, dirs: dirBytes });
    } catch {
      return undefined; // none, torn, or another layout: a full pass
    }
  }

  /** The row of `path`: `hint` first (the listing's order is the same from one pass to the next). */
  find(path: string, hint: number): number {
    if (this.paths[hint] === path) return hint;
    if (!this.index) this.index = new Map(this.paths.map((p, i) => [p, i]));
    return this.index.get(path) ?? -1;
  }

  /** Unchanged since the last pass: same inode, size and mtime, and final then if final now. */
  same(i: number, f: FileEntry, final: boolean): boolean {
    const s = this.stat;
    const o = i * FIELDS;
    return (
      s[o] === f.st.ino && s[o + 1] === f.st.size && s[o + 2] === Math.trunc(f.st.mtimeMs) && (s[o + 3] === 1 || !final)
    );
  }

  /** Row i as the next Listing takes it. */
  row(i: number): [path: string, ino: number, size: number, mtimeMs: number, final: boolean] {
    const o = i * FIELDS;
    const s = this.stat;
    return [this.paths[i]!, s[o]!, s[o + 1]!, s[o + 2]!, s[o + 3] === 1];
  }

  /**
   * The totals of the same listing with only some files' stats changed (grown, rewritten, turned
   * final: the same paths and own threads), written from these sections' bytes: no path joined
   * or encoded again. `dirs` undefined: the listings kept as read (their ~4 MB not encoded again).
   */
  saveChanged(
    cachePath: string,
    creditsPerUsd: number,
    byThread: boolean,
    rows: [number, FileEntry, boolean][],
    sums: SumsBlock,
    dirs: KeptDir[] | undefined,
  ): void {
    const stat = this.stat.slice();
    for (const [i, f, final] of rows)
      stat.set([f.st.ino, f.st.size, Math.trunc(f.st.mtimeMs), final ? 1 : 0], i * FIELDS);
    const statBytes = Buffer.from(stat.buffer, 0, stat.byteLength);
    writeTotals(
      cachePath,
      { creditsPerUsd, byThread, files: this.files },
      this.raw.paths,
      statBytes,
      this.raw.threads,
      sums,
      dirs ?? this.raw.dirs,
    );
  }

  /** How many listed files own thread `t` (a search of the threads' text: a repeat asks for few). */
  owners(t: string): number {
    this.delimited ??= `\0${this.threadText}\0`;
    const needle = `\0${t}\0`;
    let n = 0;
    for (let at = this.delimited.indexOf(needle); at >= 0; at = this.delimited.indexOf(needle, at + 1)) n++;
    return n;
  }

  thread(i: number): string | null {
    this.threadList ??= this.threadText.split('\0');
    return this.threadList[i] || null;
  }
}

const align = (n: number) => (n + 7) & ~7;

/** What a pass saw, kept to write the next Totals: a path, stat and own thread per listed file. */
export class Listing {
  readonly paths: string[] = [];
  private stat = new Float64Array(1024 * FIELDS);
  readonly threads: (string | null)[] = []; // set once a file is read

  add(f: FileEntry, final: boolean, thread: string | null): number {
    return this.addRow(f.path, f.st.ino, f.st.size, Math.trunc(f.st.mtimeMs), final, thread);
  }

  addRow(path: string, ino: number, size: number, mtimeMs: number, final: boolean, thread: string | null): number {
    const i = this.paths.length;
    if ((i + 1) * FIELDS > this.stat.length) {
      const more = new Float64Array(this.stat.length * 2);
      more.set(this.stat);
      this.stat = more;
    }
    const o = i * FIELDS;
    this.stat[o] = ino;
    this.stat[o + 1] = size;
    this.stat[o + 2] = mtimeMs;
    this.stat[o + 3] = final ? 1 : 0;
    this.paths.push(path);
    this.threads.push(thread);
    return i;
  }

  /**
   * Writes the totals for the cache file as it is now (call after saving it); see writeTotals.
   */
  save(cachePath: string, creditsPerUsd: number, byThread: boolean, sums: SumsBlock, dirs: KeptDir[]): void {
    const n = this.paths.length;
    const paths = nulEnded(this.paths);
    const ended = nulEnded(this.threads.map((t) => t ?? ''));
    const threads = ended.subarray(0, Math.max(0, ended.length - 1)); // NUL between, not after, as read
    const stat = Buffer.from(this.stat.buffer, 0, n * FIELDS * 8);
    writeTotals(cachePath, { creditsPerUsd, byThread, files: n }, paths, stat, threads, sums, dirs);
  }
}

/** Strings each ended by NUL, encoded straight into one buffer (no joined string of ~9 MB first). */
function nulEnded(list: string[]): Buffer {
  let bytes = list.length;
  for (const x of list) bytes += Buffer.byteLength(x);
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const x of list) {
    at += out.write(x, at);
    out[at++] = 0;
  }
  return out;
}

/**
 * Totals for the cache file as it is now: a temporary name, renamed, so a reader sees the old
 * totals or the new ones. Left as they were on a failure, old totals still describe the cache file
 * they name (or, that file changed, are not used): a failure costs at most a full pass.
 */
function writeTotals(
  cachePath: string,
  h: Pick<Header, 'creditsPerUsd' | 'byThread' | 'files'>,
  paths: Buffer,
  stat: Buffer,
  threads: Buffer,
  sums: SumsBlock,
  dirs: KeptDir[] | Buffer,
): void {
  const target = totalsPathOf(cachePath, h.byThread);
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    const st = cacheStat(cachePath);
    if (!st) throw new Error('no cache file');
    const sumsText = Buffer.from(JSON.stringify(sums));
    const dirsText = Buffer.isBuffer(dirs) ? dirs : Buffer.from(JSON.stringify(dirs));
    const header: Header = {
      v: TOTALS_VERSION,
      ...h,
      cache: st,
      paths: paths.length,
      threads: threads.length,
      sums: sumsText.length,
      dirs: dirsText.length,
    };
    const head = Buffer.from(`${JSON.stringify(header)}\n`);
    const pad = Buffer.alloc(align(head.length + paths.length) - head.length - paths.length);
    const fd = openSync(tmp, 'w');
    try {
      const parts = [head, paths, pad, stat, threads, sumsText, dirsText]; // not concatenated: ~15 MB copied
      const bytes = parts.reduce((n, b) => n + b.length, 0);
      if (writevSync(fd, parts) !== bytes) throw new Error('short write'); // a regular file takes it whole
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch {
    rmSync(tmp, { force: true });
  }
}

// The usage-only pass's summary cache (decisions 0027, 0041, 0047): one line per session file,
// appended when a file was read, so a report that read one file writes one line instead of the
// whole cache, and a repeat parses only the lines of the files it lists (tens of thousands of files
// never sit in memory as one JSON tree). A line is the file's path as a JSON string, a tab, and a
// JSON array of its stat, checkpoint and sums; a later line for a path replaces an earlier one. The
// first line names the version and the price setting; another starts the cache over. When most
// lines are superseded or name files no longer listed, the next write rewrites the file (temporary
// name, renamed). Losing or tearing it costs only a re-read: it is never the record.
import {
  appendFileSync,
  closeSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { CachedSums, TurnTuple, UsageTuple } from './usage-cache-rows.js';

const CACHE_VERSION = 4;
const TAB = 0x09;
// A new cache is written in pieces of about this size: a write per file was ~58,000 system calls.
const PENDING_BYTES = 1 << 20;
const NL = 0x0a;

export interface CacheEntry extends CachedSums {
  ino: number;
  size: number;
  offset: number; // bytes read (the checkpoint's offset)
  mtimeMs: number;
  head: string | null; // the content check: hashes of the first bytes and of those before `offset`
  final: boolean;
  threadId: string | null; // the file's own thread
  // The usage-only parser checkpoint, as JSON (parsed only when the file grew); null for a short
  // final file, read again from the start should it change (most files are: a small cache).
  cp: string | null;
}

type Line = [
  number,
  number,
  number,
  number,
  string | null,
  0 | 1,
  string | null,
  string | null,
  UsageTuple[],
  TurnTuple[],
];

/**
 * The cache's form of the content check: 64 bits of each hash are plenty to tell a file rewritten in
 * place from one that grew, and keep the cache small.
 */
export function headOf(h: { head: string | null; tail: string | null }): string {
  return `${h.head?.slice(0, 16)}:${h.tail?.slice(0, 16)}`;
}

const headerOf = (creditsPerUsd: number) => `${JSON.stringify({ v: CACHE_VERSION, creditsPerUsd })}\n`;

export function lineOf(path: string, e: CacheEntry): string {
  const l: Line = [e.ino, e.size, e.mtimeMs, e.offset, e.head, e.final ? 1 : 0, e.threadId, e.cp, e.u, e.t];
  return `${JSON.stringify(path)}\t${JSON.stringify(l)}\n`;
}

function entryOf(text: string): CacheEntry | undefined {
  const l = JSON.parse(text) as Line;
  if (!Array.isArray(l) || l.length !== 10 || !Array.isArray(l[8]) || !Array.isArray(l[9])) return undefined;
  const [ino, size, mtimeMs, offset, head, final, threadId, cp, u, t] = l;
  return { ino, size, mtimeMs, offset, head, final: final === 1, threadId, cp, u, t };
}

/**
 * A cache file as read: where each path's last line is, parsed only when asked for. A line the pass
 * adds its sums from is named by a ref (a number) it can be read back by at the end, when the files
 * of one thread are taken back out of the sums (decision 0054): no entry is kept per file.
 */
export class UsageCache {
  // path -> [start, end) of its last line in `buf`, or [-1, index in `added`]; then 1 once kept
  private readonly at = new Map<string, [number, number, number]>();
  private lines = 0;
  private live = 0;
  private readonly added: string[] = [];
  private readonly fresh: boolean;
  private fd: number | undefined;
  private pending: string[] = []; // lines of a new cache not written yet (one write per PENDING_BYTES)
  private pendingRefs: number[] = [];
  private pendingBytes = 0;
  private written: number; // bytes of a new cache written to its file, header included
  private broken = false;
  private lazy = false;
  private readonly unwritten = new Map<number, string>(); // lines of a new cache that could not be written

  private constructor(
    private readonly path: string | undefined,
    private readonly creditsPerUsd: number,
    private readonly buf: Buffer,
  ) {
    this.fresh = buf.length === 0;
    this.written = Buffer.byteLength(headerOf(creditsPerUsd));
  }

  /**
   * The cache at `path` (absent, unreadable, another version or price setting: an empty one). Lazy:
   * where each path's line is, is searched for when asked (a repeat from the totals asks for a
   * few), not noted for every line up front; such a cache cannot rewrite itself (see lazyRewrite).
   */
  static load(path: string | undefined, creditsPerUsd: number, lazy = false): UsageCache {
    let buf = Buffer.alloc(0);
    try {
      if (path) buf = readFileSync(path);
    } catch {
      // none yet, or unreadable: a cache is never a reason to fail a report
    }
    const nl = buf.indexOf(NL);
    if (nl < 0 || buf.toString('utf8', 0, nl + 1) !== headerOf(creditsPerUsd)) buf = Buffer.alloc(0);
    const c = new UsageCache(path, creditsPerUsd, buf);
    c.lazy = lazy;
    for (let s = nl + 1; buf.length && s < buf.length; ) {
      const e = buf.indexOf(NL, s);
      if (e < 0) break; // a torn last line: ignored, and overwritten by the next rewrite
      if (!lazy) c.index(s, e);
      c.lines++;
      s = e + 1;
    }
    return c;
  }

  private index(s: number, e: number): void {
    const buf = this.buf;
    const tab = buf.indexOf(TAB, s);
    if (tab <= s || tab >= e) return;
    const key = buf.toString('utf8', s + 1, tab - 1);
    if (!key.includes('\\')) this.at.set(key, [s, e, 0]);
    else
      try {
        this.at.set(JSON.parse(buf.toString('utf8', s, tab)) as string, [s, e, 0]);
      } catch {
        // not a line this version wrote: skipped
      }
  }

  /**
   * A path's last whole line, searched for from the end in a lazy cache: its key as lineOf writes
   * it, after a newline (no line holds a raw newline, and a raw tab only ends the key).
   */
  private lineAt(path: string): [number, number, number] | undefined {
    const known = this.at.get(path);
    if (known || !this.lazy || !this.buf.length) return known;
    const needle = Buffer.from(`\n${JSON.stringify(path)}\t`);
    for (let end = this.buf.length; end >= 0; ) {
      const i = this.buf.lastIndexOf(needle, end);
      if (i < 0) return undefined;
      const e = this.buf.indexOf(NL, i + 1);
      if (e >= 0) {
        const r: [number, number, number] = [i + 1, e, 0];
        this.at.set(path, r);
        return r;
      }
      end = i - 1; // a torn last line: the whole one before it
    }
    return undefined;
  }

  /**
   * In a lazy cache: `unasked` listed files kept without being asked for (each has one line); true
   * when, with `adding` lines more for `listed` files, save() would rewrite the cache, which only a
   * cache noted whole can do.
   */
  lazyRewrite(unasked: number, listed: number, adding: number): boolean {
    this.live += unasked;
    return this.lines + adding - listed > listed;
  }

  /** The entry of a path and its ref, or undefined (none, or a line that does not parse). */
  get(path: string): { entry: CacheEntry; ref: number } | undefined {
    const r = this.lineAt(path);
    if (!r || r[0] < 0) return undefined;
    const entry = this.parse(this.buf.toString('utf8', this.buf.indexOf(TAB, r[0]) + 1, r[1]));
    return entry && { entry, ref: r[0] };
  }

  /** get() and keep() in one look-up: what the pass does for each listed file. */
  take(path: string): { entry: CacheEntry; ref: number } | undefined {
    const r = this.lineAt(path);
    if (!r) return undefined;
    if (!r[2]) {
      r[2] = 1;
      this.live++;
    }
    if (r[0] < 0) return undefined;
    const entry = this.parse(this.buf.toString('utf8', this.buf.indexOf(TAB, r[0]) + 1, r[1]));
    return entry && { entry, ref: r[0] };
  }

  /** Keeps a listed path's line (save() writes only the kept and the new ones when it rewrites). */
  keep(path: string): void {
    const r = this.at.get(path);
    if (r && !r[2]) {
      r[2] = 1;
      this.live++;
    }
  }

  /** The path and entry of a ref that get() or set() gave. */
  resolve(ref: number): { path: string; entry: CacheEntry } | undefined {
    let line: string | undefined;
    if (!this.fresh) line = ref < 0 ? this.added[-ref - 1] : this.buf.toString('utf8', ref, this.buf.indexOf(NL, ref));
    else line = this.unwritten.get(ref) ?? this.readBack(ref);
    if (line === undefined) return undefined;
    const tab = line.indexOf('\t'); // JSON escapes a tab in the path: the first one ends it
    const entry = this.parse(line.slice(tab + 1));
    return entry && { path: JSON.parse(line.slice(0, tab)) as string, entry };
  }

  private parse(text: string): CacheEntry | undefined {
    try {
      return entryOf(text);
    } catch {
      return undefined;
    }
  }

  /** A line of the new cache from its file (written by now: flushed first). */
  private readBack(at: number): string | undefined {
    if (this.pending.length) this.flush();
    if (this.fd === undefined || this.broken) return undefined;
    const parts: Buffer[] = [];
    for (let pos = at; ; ) {
      const b = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(this.fd, b, 0, b.length, pos);
      if (n === 0) return undefined;
      const nl = b.subarray(0, n).indexOf(NL);
      parts.push(b.subarray(0, nl < 0 ? n : nl));
      if (nl >= 0) return Buffer.concat(parts).toString('utf8');
      pos += n;
    }
  }

  /**
   * Records a file's new line (lineOf); returns its ref. A cache made anew is written as lines come
   * (1 MB at a time), to a temporary file that save() renames (58,000 files: no 20 MB of lines held
   * until the end); otherwise kept for save.
   */
  setLine(path: string, line: string): number {
    if (!this.fresh) {
      this.added.push(line);
      const r = this.at.get(path);
      if (!r || !r[2]) this.live++;
      this.at.set(path, [-1, this.added.length - 1, 1]);
      return -this.added.length;
    }
    const ref = this.written + this.pendingBytes;
    const bytes = Buffer.byteLength(line);
    if (this.broken || !this.path) {
      this.unwritten.set(ref, line);
      this.written += bytes;
      return ref;
    }
    this.pending.push(line);
    this.pendingRefs.push(ref);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= PENDING_BYTES) this.flush();
    return ref;
  }

  set(path: string, e: CacheEntry): number {
    return this.setLine(path, lineOf(path, e));
  }

  private flush(): void {
    const [lines, refs] = [this.pending, this.pendingRefs];
    const at = this.written;
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingRefs = [];
    this.pendingBytes = 0;
    if (this.broken) return;
    try {
      if (this.fd === undefined) {
        this.fd = openSync(this.tmp, 'w+');
        writeSync(this.fd, headerOf(this.creditsPerUsd), 0);
      }
      writeSync(this.fd, lines.join(''), at);
    } catch {
      // A cache that cannot be written costs the next report a re-read, never this one; the lines
      // stay readable for this pass.
      this.broken = true;
      lines.forEach((l, i) => this.unwritten.set(refs[i]!, l));
    }
  }

  /**
   * Writes what changed: appended lines, or the whole cache anew (only the kept and new lines) when
   * it had none, was of another setting or holds more dead lines than live ones.
   */
  save(): void {
    if (!this.path) return;
    if (this.fresh) {
      if (this.pending.length) this.flush();
      if (this.fd === undefined) writeFileSync(this.tmp, headerOf(this.creditsPerUsd));
      else closeSync(this.fd);
      if (this.broken) return rmSync(this.tmp, { force: true });
      renameSync(this.tmp, this.path); // readers see the old file or the new one, never half of one
      return;
    }
    const dead = this.lines + this.added.length - this.live;
    if (dead <= this.live || this.lazy) {
      if (!this.added.length) return;
      // A torn last line (a report that died mid-write) must not swallow the first new one.
      const sep = this.buf.length && this.buf[this.buf.length - 1] !== NL ? '\n' : '';
      appendFileSync(this.path, sep + this.added.join(''));
      return;
    }
    const parts: Buffer[] = [Buffer.from(headerOf(this.creditsPerUsd))];
    for (const [s, e, kept] of this.at.values()) {
      if (!kept) continue;
      parts.push(s < 0 ? Buffer.from(this.added[e]!) : this.buf.subarray(s, e + 1));
    }
    writeFileSync(this.tmp, Buffer.concat(parts));
    renameSync(this.tmp, this.path);
  }

  private get tmp(): string {
    return `${this.path}.${process.pid}.tmp`;
  }
}

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

/** A cache file as read: where each path's last line is, parsed only when asked for. */
export class UsageCache {
  private readonly at = new Map<string, [number, number]>(); // path -> its last line's [start, end)
  private lines = 0;
  private readonly added: string[] = [];
  private readonly fresh: boolean;
  private fd: number | undefined;
  private pending: string[] = []; // lines of a new cache not written yet (one write per PENDING_BYTES)
  private pendingBytes = 0;
  private broken = false;

  private constructor(
    private readonly path: string | undefined,
    private readonly creditsPerUsd: number,
    private readonly buf: Buffer,
  ) {
    this.fresh = buf.length === 0;
  }

  /** The cache at `path` (absent, unreadable, another version or price setting: an empty one). */
  static load(path: string | undefined, creditsPerUsd: number): UsageCache {
    let buf = Buffer.alloc(0);
    try {
      if (path) buf = readFileSync(path);
    } catch {
      // none yet, or unreadable: a cache is never a reason to fail a report
    }
    const nl = buf.indexOf(NL);
    if (nl < 0 || buf.toString('utf8', 0, nl + 1) !== headerOf(creditsPerUsd)) buf = Buffer.alloc(0);
    const c = new UsageCache(path, creditsPerUsd, buf);
    for (let s = nl + 1; buf.length && s < buf.length; ) {
      let e = buf.indexOf(NL, s);
      if (e < 0) break; // a torn last line: ignored, and overwritten by the next rewrite
      const tab = buf.indexOf(TAB, s);
      if (tab > s && tab < e) {
        const key = buf.toString('utf8', s + 1, tab - 1);
        if (!key.includes('\\')) c.at.set(key, [tab + 1, e]);
        else
          try {
            c.at.set(JSON.parse(buf.toString('utf8', s, tab)) as string, [tab + 1, e]);
          } catch {
            // not a line this version wrote: skipped
          }
      }
      c.lines++;
      s = e + 1;
    }
    return c;
  }

  /** The entry of a path, or undefined (none, or a line that does not parse). */
  get(path: string): CacheEntry | undefined {
    const r = this.at.get(path);
    if (!r) return undefined;
    try {
      return entryOf(this.buf.toString('utf8', r[0], r[1]));
    } catch {
      return undefined;
    }
  }

  /**
   * Records a file's new entry. A cache made anew is written as entries come (1 MB at a time), to a
   * temporary file that save() renames (58,000 files: no 20 MB of lines held until the end);
   * otherwise kept for save.
   */
  set(path: string, e: CacheEntry): void {
    if (!this.fresh || !this.path) {
      this.added.push(lineOf(path, e));
      this.at.set(path, [-1, this.added.length - 1]);
      return;
    }
    const line = lineOf(path, e);
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= PENDING_BYTES) this.flush();
  }

  private flush(): void {
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (this.broken) return;
    try {
      if (this.fd === undefined) {
        this.fd = openSync(this.tmp, 'w');
        writeSync(this.fd, headerOf(this.creditsPerUsd));
      }
      writeSync(this.fd, text);
    } catch {
      this.broken = true; // a cache that cannot be written costs the next report a re-read, never this one
    }
  }

  /**
   * Writes what changed: appended lines, or the whole cache anew (only the `listed` paths) when it
   * had none, was of another setting or holds more dead lines than live ones.
   */
  save(listed: Iterable<string>): void {
    if (!this.path) return;
    if (this.fresh) {
      if (this.pending.length) this.flush();
      if (this.fd === undefined) writeFileSync(this.tmp, headerOf(this.creditsPerUsd));
      else closeSync(this.fd);
      if (this.broken) return rmSync(this.tmp, { force: true });
      renameSync(this.tmp, this.path); // readers see the old file or the new one, never half of one
      return;
    }
    const live: string[] = [];
    for (const p of listed) if (this.at.has(p)) live.push(p);
    const dead = this.lines + this.added.length - live.length;
    if (dead <= live.length) {
      if (!this.added.length) return;
      // A torn last line (a report that died mid-write) must not swallow the first new one.
      const sep = this.buf.length && this.buf[this.buf.length - 1] !== NL ? '\n' : '';
      appendFileSync(this.path, sep + this.added.join(''));
      return;
    }
    const parts: (string | Buffer)[] = [headerOf(this.creditsPerUsd)];
    for (const p of live) {
      const [s, e] = this.at.get(p)!;
      if (s < 0) parts.push(this.added[e]!);
      else parts.push(`${JSON.stringify(p)}\t`, this.buf.subarray(s, e + 1));
    }
    writeFileSync(this.tmp, Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x) : x))));
    renameSync(this.tmp, this.path);
  }

  private get tmp(): string {
    return `${this.path}.${process.pid}.tmp`;
  }
}

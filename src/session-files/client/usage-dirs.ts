// The session directories' listings kept in the totals (decision 0065), so a repeat reads no
// directory whose names are provably the same: a directory's mtime changes when a name in it is
// created, removed or renamed. A file written in place does not change it, which is why every file
// is still stat'ed. Kept only when the directory's mtime was MARGIN_MS older than the moment it was
// read: a name created after the read but within the same timestamp tick as the change before
// would leave the mtime as it was (ticks are milliseconds on local file systems, 2 s on FAT).
import { statSync } from 'node:fs';
import type { DirListings } from '../adapter/list.js';

const MARGIN_MS = 5000;

/** A kept listing: the directory's inode and mtime when it was read, and its keys NUL-joined. */
export type KeptDir = [dir: string, ino: number, mtimeMs: number, keys: string];

export class DirCache implements DirListings {
  private readonly kept: Map<string, KeptDir>;
  private readonly next = new Map<string, KeptDir>();
  private readonly reading = new Map<string, [number, number, number]>(); // ino, mtime, time before the stat
  private used = 0;

  constructor(kept: KeptDir[] = []) {
    this.kept = new Map(kept.map((k) => [k[0], k]));
  }

  known(dir: string): string[] | undefined {
    const at = Date.now();
    let st;
    try {
      st = statSync(dir);
    } catch {
      return undefined; // the walk's readdir fails too, and skips it as always
    }
    const k = this.kept.get(dir);
    if (k && k[1] === st.ino && k[2] === st.mtimeMs) {
      this.next.set(dir, k);
      this.used++;
      return k[3] ? k[3].split('\0') : [];
    }
    this.reading.set(dir, [st.ino, st.mtimeMs, at]);
    return undefined;
  }

  listed(dir: string, keys: string[]): void {
    const r = this.reading.get(dir);
    if (r && r[1] <= r[2] - MARGIN_MS) this.next.set(dir, [dir, r[0], r[1], keys.join('\0')]);
  }

  /** The listings to keep for the next walk. */
  toKeep(): KeptDir[] {
    return [...this.next.values()];
  }

  /** Whether the next walk would keep other listings than this one was given. */
  get changed(): boolean {
    return this.used !== this.kept.size || this.next.size !== this.used;
  }
}

// Which session files a path names: directories are searched for rollout-*.jsonl(.gz), and every
// file is stat'ed once. Shared by `steward import` (server side), `steward push` and `steward report`
// (client side).
import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { walkRolloutFiles, type DirListings } from './list.js';

export interface FileError {
  file: string;
  code?: string;
  message: string;
}

/** What a listing keeps of a stat: the Stats object, with its four Dates, held ~100 MB for 58,000
 * files while an import or a report ran. */
export type FileStat = Pick<Stats, 'ino' | 'size' | 'mtimeMs'>;
export interface FileEntry {
  path: string;
  st: FileStat;
}
const slim = (st: Stats): FileStat => ({ ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });

/**
 * Files to import: directories are searched recursively for rollout-*.jsonl(.gz), in the order of
 * their full paths (file names start with their creation time, so parents come before their forks
 * and sub-agents), each file once however many roots name it. Synchronous, one stat after another:
 * a stat is microseconds, while a promise per file (all at once, for the thread pool) held ~150 MB
 * and 1.5 s of CPU for 58,000 files, and one at a time the round trips were most of a second
 * import's time. The whole listing, for the import and push; the report walks it (walkImportFiles).
 */
export function listImportFiles(paths: string[], errors: FileError[]): FileEntry[] {
  return [...walkImportFiles(paths, errors)];
}

/**
 * The listing one directory at a time (the report's pass, decision 0054): a directory's entries
 * sorted as their full paths sort (a subdirectory's files where its path would sort), stat'ed as
 * they are reached, so a pass over 58,000 files never holds their listing whole.
 */
export function* walkImportFiles(paths: string[], errors: FileError[], listings?: DirListings): Generator<FileEntry> {
  const seen = paths.length > 1 ? new Set<string>() : undefined; // only roots that overlap repeat a file
  const entry = (path: string, st?: Stats): FileEntry | undefined => {
    if (seen?.has(path)) return undefined;
    seen?.add(path);
    try {
      return { path, st: slim(st ?? statSync(path)) };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push({ file: path, code: err.code, message: err.message });
      return undefined;
    }
  };
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // A missing default directory is not an error: nothing to import yet.
      if (err.code !== 'ENOENT') errors.push({ file: p, code: err.code, message: err.message });
      continue;
    }
    if (!st.isDirectory()) {
      const f = entry(p, st);
      if (f) yield f;
      continue;
    }
    for (const path of walkRolloutFiles(p, listings)) {
      const f = entry(path);
      if (f) yield f;
    }
  }
}

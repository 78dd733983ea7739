// Which session files a path names: directories are searched for rollout-*.jsonl(.gz), and every
// file is stat'ed once. Shared by `steward import` (server side) and `steward push` (client side).
import type { Stats } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { isRolloutFileName } from './decode.js';
import { findRolloutFiles } from './read.js';

export interface FileError {
  file: string;
  code?: string;
  message: string;
}

export interface FileEntry {
  path: string;
  st: Stats;
}

/** Files to import: directories are searched recursively for rollout-*.jsonl(.gz). */
export async function listImportFiles(paths: string[], errors: FileError[]): Promise<FileEntry[]> {
  const files: string[] = [];
  const named = new Map<string, Stats>(); // files named directly, already stat'ed
  for (const p of paths) {
    let st: Stats;
    try {
      st = await stat(p);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // A missing default directory is not an error: nothing to import yet.
      if (err.code !== 'ENOENT') errors.push({ file: p, code: err.code, message: err.message });
      continue;
    }
    if (st.isDirectory()) {
      // Sorted: file names start with their creation time, so parents come before their forks and sub-agents.
      const found: string[] = [];
      for await (const f of findRolloutFiles(p)) found.push(f);
      files.push(...found.sort());
    } else {
      files.push(p);
      named.set(p, st);
    }
  }
  // Stat'ed synchronously, one after another: a stat is microseconds, while a promise per file
  // (all at once, for the thread pool) held ~150 MB and 1.5 s of CPU for 58,000 files, and one at a
  // time the round trips were most of a second import's time.
  const out: FileEntry[] = [];
  for (const f of new Set(files)) {
    try {
      out.push({ path: f, st: named.get(f) ?? statSync(f) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push({ file: f, code: err.code, message: err.message });
    }
  }
  return out;
}

/** What the report's pass needs of a stat: kept instead of the Stats object, which, with its four
 * Dates, held ~100 MB for 58,000 files until the pass ended. */
export type FileStat = Pick<Stats, 'ino' | 'size' | 'mtimeMs'>;
export interface StatEntry {
  path: string;
  st: FileStat;
}
const slim = (st: Stats): FileStat => ({ ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });

/**
 * listImportFiles without promises, for the report (decision 0047): directories read with
 * readdirSync, in the same order (files of a directory, then its subdirectories, sorted). The async
 * walk's generator chain cost a promise per file and level: ~1 s of CPU for 58,000 files.
 */
export function listImportFilesSync(paths: string[], errors: FileError[]): StatEntry[] {
  const files: string[] = [];
  const named = new Map<string, FileStat>();
  const walk = (dir: string, found: string[]) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable directories are skipped, as findRolloutFiles does
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) subdirs.push(p);
      else if (e.isFile() && isRolloutFileName(e.name)) found.push(p);
    }
    for (const d of subdirs.sort()) walk(d, found);
  };
  for (const p of paths) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT') errors.push({ file: p, code: err.code, message: err.message });
      continue;
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(p, found);
      files.push(...found.sort());
    } else {
      files.push(p);
      named.set(p, slim(st));
    }
  }
  const out: StatEntry[] = [];
  for (const f of new Set(files)) {
    try {
      out.push({ path: f, st: named.get(f) ?? slim(statSync(f)) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push({ file: f, code: err.code, message: err.message });
    }
  }
  return out;
}

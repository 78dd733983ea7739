// Where the session files are: the directory walk shared by the listing (discover.ts) and the
// import, kept apart from the reading so that a report with nothing new loads no parser (0054).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRolloutFileName } from './decode.js';

/**
 * Rollout files (`*.jsonl`, `*.jsonl.gz`) under a directory, recursively: e.g. `$CODEX_HOME/sessions`
 * (YYYY/MM/DD/rollout-….jsonl) or `$CODEX_HOME/archived_sessions`, each directory's files then its
 * subdirectories (sorted). Unreadable directories are skipped. Synchronous: an async walk cost a
 * promise per file and level, ~1 s of CPU for 58,000 files (decision 0047).
 */
export function findRolloutFiles(root: string, found: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return found;
  }
  const subdirs: string[] = [];
  for (const e of entries) {
    const p = join(root, e.name);
    if (e.isDirectory()) subdirs.push(p);
    else if (e.isFile() && isRolloutFileName(e.name)) found.push(p);
  }
  for (const d of subdirs.sort()) findRolloutFiles(d, found);
  return found;
}

/**
 * findRolloutFiles(root).sort() one directory at a time: a directory's files and subdirectories in
 * one order, a subdirectory placed as its name followed by '/' sorts, which is where each of its
 * paths falls among the sorted full paths (paths under one directory sort together). Paths are
 * the root as join() writes it and names appended: join() per file was ~0.1 s of a repeat report
 * on 58,000 files, normalizing what readdir already gives.
 */
export function* walkRolloutFiles(root: string, listings?: DirListings): Generator<string> {
  yield* walkUnder(join(root, '_').slice(0, -1), listings);
}

/**
 * Directory listings kept from an earlier walk (decision 0065): `known` gives a directory's keys
 * (its rollout files' names and its subdirectories' names with '/', sorted) when they are provably
 * the same, else undefined, and the walk reads the directory and hands its keys to `listed`.
 */
export interface DirListings {
  known(dir: string): string[] | undefined;
  listed(dir: string, keys: string[]): void;
}

function* walkUnder(prefix: string, listings: DirListings | undefined): Generator<string> {
  // prefix: '' under '.', '/' at the file system's root, else a directory and its '/'
  const dir = prefix === '' ? '.' : prefix === '/' ? prefix : prefix.slice(0, -1);
  let keys = listings?.known(dir);
  if (!keys) {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    keys = [];
    for (const e of entries) {
      if (e.isDirectory()) keys.push(`${e.name}/`);
      else if (e.isFile() && isRolloutFileName(e.name)) keys.push(e.name);
    }
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    listings?.listed(dir, keys);
  }
  for (const key of keys)
    if (key.endsWith('/')) yield* walkUnder(prefix + key, listings);
    else yield prefix + key;
}

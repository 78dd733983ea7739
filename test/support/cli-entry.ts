// How a test starts the `steward` CLI as a child process: the built CLI (bin/steward.js over dist/)
// when dist/ is at least as new as every file under src/, as it is after `npm test`'s build; from src/
// through tsx otherwise, so a test run while editing never meets a stale build. Both run the same
// main(); the built one starts in ~1 s of CPU where tsx's transform of the whole CLI takes ~2.7 s,
// which the suite's few hundred CLI runs paid again each time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILT = path.join(ROOT, 'dist', 'cli', 'main.js');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtimeMs(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

let chosen: string[] | undefined;

/** The node arguments before the CLI's own: [bin/steward.js] or [--import tsx, steward-src.ts]. */
export function cliEntry(): string[] {
  if (chosen) return chosen;
  const built = fs.existsSync(BUILT) && fs.statSync(BUILT).mtimeMs >= newestMtimeMs(path.join(ROOT, 'src'));
  chosen = built
    ? [path.join(ROOT, 'bin', 'steward.js')]
    : ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'test', 'support', 'steward-src.ts')];
  return chosen;
}

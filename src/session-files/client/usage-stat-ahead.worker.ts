// The stat-ahead thread (usage-stat-ahead.ts): stats the totals' files from the last one back until
// it reaches a row the walk claimed, or the walk is over.
import { statSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { CLAIMED, DONE, EMPTY, FAILED, type StatAheadData } from './usage-stat-ahead.js';

const { paths: bytes, files, stats, state } = workerData as StatAheadData;
const paths = files
  ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length - 1)
      .toString('utf8')
      .split('\0')
  : [];
for (let j = files - 1; j >= 0; j--) {
  if (Atomics.load(state, files) !== 0 || Atomics.load(state, j) !== EMPTY) break;
  let done = FAILED;
  try {
    const st = statSync(paths[j]!);
    stats[j * 3] = st.ino;
    stats[j * 3 + 1] = st.size;
    stats[j * 3 + 2] = st.mtimeMs;
    done = DONE;
  } catch {
    // the walk stats it again and reports what failed
  }
  if (Atomics.compareExchange(state, j, EMPTY, done) === CLAIMED) break;
}

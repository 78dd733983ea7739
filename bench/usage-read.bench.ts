// The usage-only read alone, on one thread: summarizeFile (what a report's reader thread does per
// file) over the first N session files of a corpus, in path order, for each build given, the builds
// alternating run by run so a shift in the machine's load touches all of them alike. CPU of this
// process (user + sys) per run, and the token sum, which must be equal for every build.
// With --batch, through readBatch (what a reader thread runs per message: batches of 256 files, each
// file's cache line and the batch's sums) instead of summarizeFile alone. A reader thread's young
// generation is 16 MB (usage-readers.ts): `node --max-semi-space-size=5` gives this process about that.
// Run: npm run build && node --import tsx bench/usage-read.bench.ts --sessions DIR [--files 1000]
//      [--reps 1] [--runs 3] [--dist dist,/other/checkout/dist] [--batch]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string' },
    files: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    dist: { type: 'string', default: 'dist' },
    batch: { type: 'boolean', default: false },
  },
});
if (!values.sessions) throw new Error('--sessions DIR (e.g. bench/out/rollouts_1100MB_s42/sessions)');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const files: string[] = [];
(function walk(dir: string) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.jsonl')) files.push(p);
  }
})(values.sessions);
files.sort();
const chosen = files.slice(0, Number(values.files));
const bytes = chosen.reduce((n, f) => n + fs.statSync(f).size, 0);
console.log(`${chosen.length} files, ${(bytes / 1e6).toFixed(1)} MB, x${values.reps} per run`);

type Summarize = (
  p: string,
  o: { final: boolean; creditsPerUsd: number },
) => Promise<{
  usage: { input_tokens: number; cached_input_tokens: number; output_tokens: number; reasoning_tokens: number }[];
}>;
const builds: { dist: string; summarize: Summarize }[] = [];
for (const d of values.dist.split(',')) {
  const dist = path.resolve(REPO, d);
  const mod = await import(path.join(dist, 'session-files/client/usage-sums.js'));
  builds.push({ dist, summarize: values.batch ? await viaBatches(dist) : (mod.summarizeFile as Summarize) });
}

/** summarizeFile's result shape from readBatch over batches of 256 files (the sums come per batch). */
async function viaBatches(dist: string): Promise<Summarize> {
  type Batch = (b: object) => Promise<{ sums: { u: number[][] }; answers: { error?: string }[] }>;
  const readBatch = (await import(path.join(dist, 'session-files/client/usage-batch.js'))).readBatch as Batch;
  let queue: string[] = [];
  // Files are queued and read 256 at a time; the last file of the warm-up and of a run flush.
  const ends = new Set([chosen[chosen.length - 1], chosen[Math.ceil(chosen.length / 10) - 1]]);
  return async (p) => {
    queue.push(p);
    if (queue.length < 256 && !ends.has(p)) return { usage: [] };
    const files = queue.map((f) => {
      const st = fs.statSync(f);
      return { path: f, st: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, final: true };
    });
    queue = [];
    const a = await readBatch({ id: 0, creditsPerUsd: 25, byThread: false, files });
    if (a.answers.some((x) => x.error)) throw new Error('a file failed');
    return {
      usage: a.sums.u.map((x) => ({
        input_tokens: x[5]!,
        cached_input_tokens: x[6]!,
        output_tokens: x[7]!,
        reasoning_tokens: x[8]!,
      })),
    };
  };
}

// Each build's functions warm up in this one process: a first untimed pass over a tenth of the files.
for (const b of builds)
  for (const f of chosen.slice(0, Math.ceil(chosen.length / 10)))
    await b.summarize(f, { final: true, creditsPerUsd: 25 });

for (let run = 1; run <= Number(values.runs); run++)
  for (const b of builds) {
    let tokens = 0;
    const c0 = process.cpuUsage();
    for (let r = 0; r < Number(values.reps); r++)
      for (const f of chosen)
        for (const u of (await b.summarize(f, { final: true, creditsPerUsd: 25 })).usage)
          tokens += u.input_tokens + u.cached_input_tokens + u.output_tokens + u.reasoning_tokens;
    const c = process.cpuUsage(c0);
    console.log(`run ${run} ${b.dist}: ${((c.user + c.system) / 1e6).toFixed(2)} s cpu, tokens ${tokens}`);
  }

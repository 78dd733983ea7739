// Session-file import speed: `steward import` (parse, normalize, store facts + content in SQLite)
// against `ccusage codex daily --offline` (read and sum) on the same generated corpus of realistic
// session files, in the same run, both as child processes from a warm page cache; peak RSS of each
// child; then a second `steward import` with nothing new. Two floors measured in the same run put the
// ratio in context: copying the corpus's bytes (`cp -r`, what persisting the content costs at the
// least) and JSON.parse of every line with nothing stored (bench/support/parse-floor.mjs).
// Then `steward report daily` (the usage-only pass, decision 0027) on both corpus shapes, few long
// files (the generated corpus above) and many short ones (copies of the real fixtures with new ids,
// bench/support/short-corpus.ts), each against ccusage, the JSON.parse floor and the usage floor
// (byte search + JSON.parse of the token lines only, bench/support/usage-floor.mjs) in the same run:
// fresh (no cache, alternating with ccusage, --runs pairs), repeat (nothing new) and one file grown;
// wall, CPU (user + sys, which the shared machine's load disturbs less) and peak RSS of each.
// Then `steward import` of both shapes on its own (importBench): fresh, after the idle window
// (finalized from the stored parser state) and with nothing new, against the JSON.parse floor.
// Run: npm run build && node --import tsx bench/import.bench.ts [--mb 1100] [--seed 42] [--runs 1]
//      [--shapes long,short] (the report's; none: no report figures) [--import-shapes long,short]
//      [--no-import-run] (without the first import against ccusage)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { corpusName, ensureCorpus } from './support/rollout-corpus.js';
import { ensureShortCorpus } from './support/short-corpus.js';
import { OUT } from './support/stores.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '1100' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '1' },
    shapes: { type: 'string', default: 'long,short' },
    'import-shapes': { type: 'string', default: 'long,short' },
    'no-import-run': { type: 'boolean', default: false },
  },
});
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = Number(values.mb) * 1e6;
const dir = path.join(OUT, corpusName(target, Number(values.seed)));

const t0 = Date.now();
const corpus = ensureCorpus(dir, target, Number(values.seed));
console.log(
  `corpus ${dir}: ${corpus.files} files, ${(corpus.bytes / 1e9).toFixed(3)} GB, ${corpus.lines} lines, ${corpus.threads} threads, ${corpus.turns} turns, ${corpus.responses} responses (${corpus.reused ? 'reused' : `generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`})`,
);

interface Measured {
  wallS: number;
  cpuS: number; // user + sys, of the process and the children it waited for (load disturbs it less)
  maxRssMb: number;
  stdout: string;
}

/** Runs a command under GNU time for wall time and peak RSS (of the process and the children it waited for). */
function measure(cmd: string, args: string[], env: Record<string, string>): Measured {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').pop()!.split(' ');
  return {
    wallS: Number(last[0]),
    maxRssMb: Number(last[1]) / 1024,
    cpuS: Number(last[2]) + Number(last[3]),
    stdout: r.stdout,
  };
}

// Warm the page cache, so that neither tool pays for the first read from disk.
spawnSync('sh', ['-c', `find ${JSON.stringify(path.join(dir, 'sessions'))} -type f -exec cat {} + > /dev/null`]);

const codexEnv = { CODEX_HOME: dir, HOME: path.join(dir, 'home'), NO_COLOR: '1' };
const ccusageBin = path.join(REPO, 'node_modules/.bin/ccusage');
const steward = path.join(REPO, 'bin/steward.js');
const runs = Number(values.runs);
const f = (m: Measured) => `${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s cpu, ${m.maxRssMb.toFixed(0)} MB`;

/**
 * `steward import` of one corpus shape into a fresh SQLite store, three times: while the files are
 * still "being written" (an idle window longer than their age: everything is read, nothing that
 * waits for more lines is emitted), then once the window has passed (nothing new: every file is
 * finalized from its stored parser state), then with nothing new at all; the JSON.parse floor of
 * the same files in the same run.
 */
function importBench(shape: string, home: string): void {
  const env = { CODEX_HOME: home, HOME: path.join(home, 'home'), NO_COLOR: '1', STEWARD_CONFIG: '/dev/null' };
  const sessions = path.join(home, 'sessions');
  spawnSync('sh', ['-c', `find ${JSON.stringify(sessions)} -type f -exec cat {} + > /dev/null`]);
  const data = path.join(OUT, `import-bench-store-${shape}`);
  const imp = (...extra: string[]) =>
    measure(process.execPath, [steward, 'import', '--data', data, '--json', ...extra], env);
  for (let i = 0; i < runs; i++) {
    fs.rmSync(data, { recursive: true, force: true });
    const fresh = imp('--idle-seconds', String(10 * 365 * 86400));
    const idle = imp();
    const again = imp();
    const parse = measure(process.execPath, [path.join(REPO, 'bench/support/parse-floor.mjs'), sessions], {});
    const s = JSON.parse(fresh.stdout);
    const si = JSON.parse(idle.stdout);
    const s2 = JSON.parse(again.stdout);
    console.log(
      `import, ${shape} files, run ${i + 1}: steward import ${f(fresh)} (${s.files.read} files, ${s.lines} lines, ` +
        `${s.responses} responses, ${s.stored.content} content records) = ${(fresh.wallS / parse.wallS).toFixed(2)}x the floor's wall, ` +
        `${(fresh.cpuS / parse.cpuS).toFixed(2)}x its cpu | after the idle window (finalize only) ${f(idle)} ` +
        `(${si.files.unchanged} unchanged, ${si.files.read} read, ${si.stored.turns} turns emitted) | nothing new ${f(again)} ` +
        `(${s2.files.unchanged} unchanged) | floor: JSON.parse of every line, nothing stored ${f(parse)}`,
    );
    const dbBytes = fs.readdirSync(data).reduce((n, x) => n + fs.statSync(path.join(data, x)).size, 0);
    console.log(`  store size ${(dbBytes / 1e6).toFixed(0)} MB`);
  }
}

const results: { cc: Measured; imp: Measured; again: Measured; copy: Measured; parse: Measured }[] = [];
for (let i = 0; i < (values['no-import-run'] ? 0 : runs); i++) {
  const cc = measure(ccusageBin, ['codex', 'daily', '--offline', '--json'], codexEnv);
  const data = path.join(OUT, 'import-bench-store');
  fs.rmSync(data, { recursive: true, force: true });
  const imp = measure(process.execPath, [steward, 'import', '--data', data, '--json'], {
    ...codexEnv,
    STEWARD_CONFIG: '/dev/null',
  });
  const again = measure(process.execPath, [steward, 'import', '--data', data, '--json'], {
    ...codexEnv,
    STEWARD_CONFIG: '/dev/null',
  });
  const copyTo = path.join(OUT, 'import-bench-copy');
  fs.rmSync(copyTo, { recursive: true, force: true });
  spawnSync('sync');
  const copy = measure('cp', ['-r', path.join(dir, 'sessions'), copyTo], {});
  fs.rmSync(copyTo, { recursive: true, force: true });
  const parse = measure(
    process.execPath,
    [path.join(REPO, 'bench/support/parse-floor.mjs'), path.join(dir, 'sessions')],
    {},
  );
  results.push({ cc, imp, again, copy, parse });
  const s = JSON.parse(imp.stdout);
  const s2 = JSON.parse(again.stdout);
  console.log(
    `run ${i + 1}: ccusage codex daily --offline ${cc.wallS.toFixed(2)} s (peak RSS ${cc.maxRssMb.toFixed(0)} MB) | ` +
      `steward import ${imp.wallS.toFixed(2)} s (peak RSS ${imp.maxRssMb.toFixed(0)} MB, ${s.files.read} files, ${s.lines} lines, ${s.responses} responses, ${s.stored.content} content rows) = ${(imp.wallS / cc.wallS).toFixed(2)}x ccusage | ` +
      `second import ${again.wallS.toFixed(2)} s (${s2.files.unchanged} unchanged, ${s2.files.read} read)`,
  );
  console.log(
    `  floors: cp -r of the corpus ${copy.wallS.toFixed(2)} s (${(copy.wallS / cc.wallS).toFixed(2)}x ccusage) | JSON.parse of every line, nothing stored ${parse.wallS.toFixed(2)} s (${(parse.wallS / cc.wallS).toFixed(2)}x ccusage)`,
  );
  // The two tools must agree on what they counted.
  const ccTotals = JSON.parse(cc.stdout).totals;
  const rep = measure(
    process.execPath,
    [steward, 'report', 'daily', '--no-import', '--data', data, '--json', '--timezone', 'UTC'],
    { ...codexEnv, STEWARD_CONFIG: '/dev/null' },
  );
  const ccUtc = JSON.parse(
    measure(ccusageBin, ['codex', 'daily', '--offline', '--json', '--timezone', 'UTC'], codexEnv).stdout,
  ).totals;
  const ours = JSON.parse(rep.stdout).totals;
  console.log(
    `  totals: steward ${ours.totalTokens} tokens $${ours.costUSD.toFixed(2)} | ccusage ${ccUtc.totalTokens} tokens $${ccUtc.costUSD.toFixed(2)} ${ours.totalTokens === ccUtc.totalTokens && Math.abs(ours.costUSD - ccUtc.costUSD) < 0.01 ? '(agree)' : '(DISAGREE)'}; ccusage default-zone total ${ccTotals.totalTokens}`,
  );
  const dbBytes = fs.readdirSync(data).reduce((n, f) => n + fs.statSync(path.join(data, f)).size, 0);
  console.log(`  store size ${(dbBytes / 1e6).toFixed(0)} MB`);
}
const best = (f: (r: (typeof results)[0]) => number) => Math.min(...results.map(f));
if (results.length)
  console.log(
    `best of ${runs}: ccusage ${best((r) => r.cc.wallS).toFixed(2)} s, steward import ${best((r) => r.imp.wallS).toFixed(2)} s (${(best((r) => r.imp.wallS) / best((r) => r.cc.wallS)).toFixed(2)}x), peak RSS ${Math.max(...results.map((r) => r.imp.maxRssMb)).toFixed(0)} MB, second import ${best((r) => r.again.wallS).toFixed(2)} s; floors: cp -r ${best((r) => r.copy.wallS).toFixed(2)} s, JSON.parse ${best((r) => r.parse.wallS).toFixed(2)} s`,
  );

const shortHome = () => {
  const shortDir = path.join(OUT, `short-corpus-v2-${values.mb}mb-${values.seed}`);
  const t1 = Date.now();
  const c = ensureShortCorpus(REPO, shortDir, target, Number(values.seed));
  console.log(
    `short corpus ${shortDir}: ${c.files} files, ${(c.bytes / 1e9).toFixed(3)} GB (${c.reused ? 'reused' : `generated in ${((Date.now() - t1) / 1000).toFixed(1)} s`})`,
  );
  return shortDir;
};
const importShapes = values['import-shapes'].split(',');
if (importShapes.includes('long')) importBench('long', dir);
if (importShapes.includes('short')) importBench('short', shortHome());

// ---- steward report (usage-only pass) on both corpus shapes ------------------------------------
/** Every token field per day and model, the way both tools print them, for an exact comparison. */
function perDayModel(json: string): string {
  const FIELDS = ['inputTokens', 'cacheReadTokens', 'outputTokens', 'reasoningOutputTokens', 'totalTokens'];
  const rows: string[] = [];
  for (const d of JSON.parse(json).daily as { date: string; models: Record<string, Record<string, number>> }[])
    for (const [m, f] of Object.entries(d.models)) rows.push(`${d.date} ${m} ${FIELDS.map((k) => f[k]).join(' ')}`);
  return rows.sort().join('\n');
}

function reportBench(shape: string, home: string): void {
  const env = { CODEX_HOME: home, HOME: path.join(home, 'home'), NO_COLOR: '1' };
  const sessions = path.join(home, 'sessions');
  spawnSync('sh', ['-c', `find ${JSON.stringify(sessions)} -type f -exec cat {} + > /dev/null`]);
  const data = path.join(OUT, `report-bench-store-${shape}`);
  const report = () =>
    measure(process.execPath, [steward, 'report', 'daily', '--data', data, '--json', '--timezone', 'UTC'], {
      ...env,
      STEWARD_CONFIG: '/dev/null',
    });
  const f = (m: Measured) => `${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s cpu, ${m.maxRssMb.toFixed(0)} MB`;
  // Alternating pairs (ccusage, then Steward from no cache), so load shifts touch both alike.
  const ccs: Measured[] = [];
  const freshes: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const cc = measure(ccusageBin, ['codex', 'daily', '--offline', '--json', '--timezone', 'UTC'], env);
    fs.rmSync(data, { recursive: true, force: true });
    const fresh = report();
    ccs.push(cc);
    freshes.push(fresh);
    console.log(
      `report, ${shape} files, pair ${i + 1}: ccusage ${f(cc)} | steward report daily fresh ${f(fresh)} ` +
        `(${(fresh.wallS / cc.wallS).toFixed(2)}x wall, ${(fresh.cpuS / cc.cpuS).toFixed(2)}x cpu)`,
    );
  }
  const parse = measure(process.execPath, [path.join(REPO, 'bench/support/parse-floor.mjs'), sessions], {});
  const usage = measure(process.execPath, [path.join(REPO, 'bench/support/usage-floor.mjs'), sessions], {});
  const repeat = report();
  // Grow the largest file by a copy of its own last token line (one more response).
  const largest = spawnSync(
    'sh',
    ['-c', `find ${JSON.stringify(sessions)} -name '*.jsonl' -printf '%s %p\\n' | sort -n | tail -1`],
    {
      encoding: 'utf8',
    },
  )
    .stdout.trim()
    .split(' ')
    .slice(1)
    .join(' ');
  const original = fs.readFileSync(largest);
  const tokenLine = original
    .toString('utf8')
    .split('\n')
    .reverse()
    .find((l) => l.includes('"token_count"'));
  if (tokenLine) fs.appendFileSync(largest, `${tokenLine}\n`);
  const grown = report();
  fs.writeFileSync(largest, original);
  const ours = JSON.parse(freshes[0]!.stdout).totals;
  const theirs = JSON.parse(ccs[0]!.stdout).totals;
  const same = perDayModel(freshes[0]!.stdout) === perDayModel(ccs[0]!.stdout);
  const best = (ms: Measured[], k: 'wallS' | 'cpuS') => Math.min(...ms.map((m) => m[k]));
  console.log(
    `report, ${shape} files: floors: JSON.parse every line ${f(parse)}, usage lines only ${f(usage)} | ` +
      `steward repeat ${f(repeat)}, one file grown ${f(grown)} | best of ${runs}: ccusage ${best(ccs, 'wallS').toFixed(2)} s wall ` +
      `${best(ccs, 'cpuS').toFixed(2)} s cpu, steward fresh ${best(freshes, 'wallS').toFixed(2)} s wall ${best(freshes, 'cpuS').toFixed(2)} s cpu | ` +
      `tokens steward ${ours.totalTokens} ccusage ${theirs.totalTokens}; every token field per day and model ${same ? '(agree)' : '(DISAGREE)'}`,
  );
}

const shapes = values.shapes.split(',');
if (shapes.includes('long')) reportBench('long', dir);
if (shapes.includes('short')) reportBench('short', shortHome());

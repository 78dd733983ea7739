// The long crash run (issue 15): test/e2e/support/crash.ts with many kills, OTLP senders and
// session-file uploaders, on each database in turn. Needs `npm run build` (it runs bin/steward.js).
//   node --import tsx bench/crash.ts --kills 100 [--senders 3] [--uploaders 2] [--seed S] [--dialects sqlite,postgres]
import { parseArgs } from 'node:util';
import { crashProblems, crashRun } from '../test/e2e/support/crash.js';
import type { Dialect } from '../test/e2e/support/steward.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    senders: { type: 'string', default: '3' },
    uploaders: { type: 'string', default: '2' },
    seed: { type: 'string', default: '15' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
  },
});
const kills = Number(values.kills);
let failed = 0;
for (const dialect of values.dialects.split(',') as Dialect[]) {
  const log = (l: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${dialect}: ${l}`);
  // Enough requests that the senders outlast the kills (each kill costs a start of serve, seconds).
  const r = await crashRun({
    dialect,
    kills,
    senders: Number(values.senders),
    uploaders: Number(values.uploaders),
    batches: kills * 40,
    seed: Number(values.seed),
    log,
  });
  const problems = crashProblems(r);
  const ok = problems.length === 0;
  if (!ok) failed++;
  log(
    `${ok ? 'ok' : 'FAILED'}: ${r.kills} kills in ${(r.ms / 1000).toFixed(0)} s, ${r.batches} OTLP batches and ` +
      `${r.sessions} session files acknowledged, ${r.retries} retries, ${r.archive.records} CODEX_LOG records; ` +
      `tokens expected ${JSON.stringify(r.expected)} got ${JSON.stringify(r.got)}; doubled ${r.archive.doubled.length}, ` +
      `missing ${r.archive.missing.length}, upload problems ${r.uploadProblems.length}, verify exit ${r.verify.code}`,
  );
  for (const l of problems.slice(0, 20)) log(`  ${l}`);
  if (r.verify.code !== 0) log(r.verify.stdout + r.verify.stderr);
}
process.exitCode = failed ? 1 : 0;

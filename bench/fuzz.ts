// The long fuzz run (decisions/0029): every target of test/support/fuzz for --cases N in all, split
// evenly, decoders in process and the HTTP targets against an in-process server on each database.
//   node --import tsx bench/fuzz.ts --cases 1000000 [--seed S] [--dialects sqlite,postgres|none]
//     [--http-share 0.1]   (0: the decoders only, 1: the HTTP targets only; two processes use both cores)
import { parseArgs } from 'node:util';
import {
  otlpJsonTarget,
  otlpProtobufTarget,
  rolloutParserTarget,
  type FuzzTarget,
} from '../test/support/fuzz/decoders.js';
import { httpTargets } from '../test/support/fuzz/http.js';
import { runTarget } from '../test/support/fuzz/run.js';
import { makeApp } from '../test/support/app.js';
import type { DialectName } from '../src/platform/storage/database.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    'http-share': { type: 'string', default: '0.1' },
  },
});
const cases = Number(values.cases);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const dialects = values.dialects.split(',').filter((d) => d && d !== 'none') as DialectName[];
// HTTP cases cost a database write each: they get this share of the cases, the decoders the rest.
const httpShare = Number(values['http-share']);
const decoders: FuzzTarget<any>[] = [otlpJsonTarget(), otlpProtobufTarget(), rolloutParserTarget()];
const httpCount = 5; // httpTargets() makes five per server
const perDecoder = Math.round((cases * (1 - httpShare)) / decoders.length);
const perHttp = dialects.length ? Math.round((cases * httpShare) / (httpCount * dialects.length)) : 0;

console.log(`seed ${seed}: ${perDecoder} cases per decoder, ${perHttp} per HTTP target and database`);
let failed = 0;
let total = 0;
const report = (r: Awaited<ReturnType<typeof runTarget>>, where = '') => {
  total += r.runs;
  const rate = (r.runs / (r.ms / 1000)).toFixed(0);
  console.log(
    `${(r.name + where).padEnd(40)} ${String(r.runs).padStart(8)} cases ${(r.ms / 1000).toFixed(1).padStart(7)} s ` +
      `${rate.padStart(6)}/s slowest ${r.slowestMs.toFixed(0)} ms ${r.failure ? 'FAILED' : 'ok'}`,
  );
  if (r.failure) {
    failed++;
    console.log(r.failure);
  }
};
const t0 = performance.now();
if (perDecoder) for (const t of decoders) report(await runTarget(t, { runs: perDecoder, seed }));
for (const d of perHttp ? dialects : []) {
  const app = await makeApp(d, { github: { webhook_secret: 'fuzz secret' } });
  try {
    for (const t of await httpTargets(app, 'fuzz secret'))
      report(await runTarget(t, { runs: perHttp, seed }), ` (${d})`);
  } finally {
    await app.close();
  }
}
console.log(`${total} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${failed} target(s) failed`);
process.exitCode = failed ? 1 : 0;

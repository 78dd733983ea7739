// Runs one fuzz target with fast-check: `runs` cases from `seed`, each timed. A case that throws, or
// takes longer than `hangMs`, fails the run; fast-check then shrinks it and the report carries the
// seed and path that replay it (fc.assert's `seed` and `path` options), which is how a found case
// becomes a fixed regression example (decisions/0029).
import fc from 'fast-check';
import type { FuzzTarget } from './decoders.js';

export interface FuzzRun {
  name: string;
  runs: number;
  ms: number;
  slowestMs: number;
  failure?: string;
}

export async function runTarget<T>(
  t: FuzzTarget<T>,
  o: { runs: number; seed?: number; hangMs?: number },
): Promise<FuzzRun> {
  const hangMs = o.hangMs ?? 5000;
  let slowest = 0;
  const t0 = performance.now();
  const property = fc.asyncProperty(t.arb, async (input) => {
    const s = performance.now();
    await t.check(input);
    const ms = performance.now() - s;
    slowest = Math.max(slowest, ms);
    if (ms > hangMs) throw new Error(`one case took ${ms.toFixed(0)} ms (the limit is ${hangMs} ms)`);
  });
  const r = await fc.check(property, { numRuns: o.runs, seed: o.seed, endOnFailure: false });
  const out: FuzzRun = { name: t.name, runs: r.numRuns, ms: performance.now() - t0, slowestMs: slowest };
  if (r.failed) {
    const why = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    out.failure = `${why}\n${fc.defaultReportMessage(r)?.slice(0, 3000) ?? ''}`;
  }
  return out;
}

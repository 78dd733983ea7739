// The crash harness (issue 15): several senders push OTLP batches into a real `steward serve` and
// retry every batch until it is acknowledged, while the server is SIGKILLed at random moments and
// started again on the same store. Every batch is eventually acknowledged, so the Analytics API must
// end with exactly the tokens of all batches (nothing lost, nothing doubled) and verify must pass.
import { prng } from '../../../bench/support/prng.js';
import { synthPayload } from '../../support/otlp.js';
import { startSteward, type Dialect } from './steward.js';

export interface CrashRun {
  dialect: Dialect;
  kills: number;
  batches: number;
  retries: number;
  ms: number;
  expected: { input: number; cached: number; output: number };
  got: { input: number; cached: number; output: number };
  verify: { code: number | null; stdout: string; stderr: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function crashRun(o: { dialect: Dialect; kills: number; senders: number; batches: number; seed: number }) {
  const rnd = prng(o.seed);
  const s = await startSteward({ dialect: o.dialect, startTimeoutMs: 60_000 });
  const t0 = performance.now();
  try {
    await s.cli(['users', 'add', 'dev@example.com']);
    const key = (await s.cli(['keys', 'create', '--scope', 'ingest.write', '--user', 'dev@example.com'])).secret;
    const expected = { input: 0, cached: 0, output: 0 };
    const now = Date.now() - 3600_000;
    // Each batch: one thread, a prompt and two responses with counts known here.
    const bodies: string[][] = [];
    for (let i = 0; i < o.senders; i++) {
      bodies.push([]);
      for (let b = 0; b < o.batches; b++) {
        const conv = `crash-${o.seed}-${i}-${b}`;
        const recs: Parameters<typeof synthPayload>[0] = [{ conv, ts: now + b, kind: 'prompt' }];
        for (let k = 0; k < 2; k++) {
          const input = 100 + Math.floor(rnd() * 1000);
          const cached = Math.floor(rnd() * 100);
          const output = 1 + Math.floor(rnd() * 500);
          expected.input += input;
          expected.cached += cached;
          expected.output += output;
          recs.push({ conv, ts: now + b + k + 1, kind: 'response', input, cached, output });
        }
        bodies[i]!.push(JSON.stringify(synthPayload(recs)));
      }
    }
    let retries = 0;
    let done = false;
    const send = async (list: string[]) => {
      for (const body of list)
        for (;;) {
          try {
            const r = await fetch(`${s.url}/v1/logs`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body,
              signal: AbortSignal.timeout(10_000),
            });
            await r.arrayBuffer();
            if (r.status === 200) break;
          } catch {
            // connection refused or reset by the kill: not acknowledged, so sent again
          }
          retries++;
          await sleep(20 + rnd() * 80);
        }
    };
    const senders = Promise.all(bodies.map(send)).finally(() => {
      done = true;
    });
    let kills = 0;
    while (kills < o.kills && !done) {
      await sleep(50 + rnd() * 400);
      if (done) break;
      await s.kill('SIGKILL');
      kills++;
      await s.start();
    }
    await senders;
    const ws = s.workspaceId;
    const r = await s.fetch(`/v1/analytics/codex/workspaces/${ws}/usage?group=workspace&limit=1000`);
    const page = (await r.json()) as any;
    const got = { input: 0, cached: 0, output: 0 };
    for (const row of page.data) {
      got.input += row.totals.uncached_text_input_tokens + row.totals.cached_text_input_tokens;
      got.cached += row.totals.cached_text_input_tokens;
      got.output += row.totals.text_output_tokens;
    }
    const verify = await s.cliRaw(['compliance', 'verify']);
    const run: CrashRun = {
      dialect: o.dialect,
      kills,
      batches: o.senders * o.batches,
      retries,
      ms: performance.now() - t0,
      expected,
      got,
      verify,
    };
    return run;
  } finally {
    await s.cleanup();
  }
}

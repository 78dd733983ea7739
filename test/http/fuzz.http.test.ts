// The short fuzz run in the suite (decisions/0029; the long one is bench/fuzz.ts): the decoders in
// process, then ingest, the GitHub webhook and every read parameter against an in-process server on
// each database. A failure prints the seed and path that replay it; the case then becomes a fixed
// example (below, and in src/session-files/adapter/normalize/ids.test.ts) and a fix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { EXEC } from '../support/rollout-fixtures.js';
import { otlpJsonTarget, otlpProtobufTarget, rolloutParserTarget, type FuzzTarget } from '../support/fuzz/decoders.js';
import { httpTargets } from '../support/fuzz/http.js';
import { runTarget } from '../support/fuzz/run.js';

// Sized for the whole file to stay under a minute on a loaded 2-core machine.
const DECODER_RUNS = Number(process.env.STEWARD_FUZZ_RUNS ?? 400);
const HTTP_RUNS = Math.max(1, Math.round(DECODER_RUNS / 4));
const SECRET = 'fuzz secret';

describe('fuzz: decoders return bounded events or a typed error', () => {
  const targets: FuzzTarget<any>[] = [otlpJsonTarget(), otlpProtobufTarget(), rolloutParserTarget()];
  for (const t of targets) {
    it(t.name, async () => {
      const r = await runTarget(t, { runs: DECODER_RUNS });
      assert.equal(r.failure, undefined);
      assert.equal(r.runs, DECODER_RUNS);
    });
  }
});

for (const dialect of DIALECTS) {
  describe(`fuzz: no 5xx from ingest, the webhook and the read APIs (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await makeApp(dialect, { github: { webhook_secret: SECRET } });
    });
    after(() => t.close());

    it('each target answers below 500', async () => {
      for (const target of await httpTargets(t, SECRET)) {
        const r = await runTarget(target, { runs: HTTP_RUNS });
        assert.equal(r.failure, undefined, `${target.name}: ${r.failure}`);
      }
    });

    it('found: a NUL in an upload path is a 4xx naming the field, not a 500', async () => {
      await t.user('nul@example.com');
      const key = await t.key(['ingest.write'], 'nul@example.com');
      const body = {
        host: 'fuzz-host',
        files: [{ path: 'a\u0000b', offset: 0, line: 0, lines: [{ n: 4, t: 'oull' }] }],
      };
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: body,
      });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, r.body);
      assert.match(r.body, /files\.0\.path|path/);
      assert.match(r.body, /NUL/);
    });

    it('found: an exit code of 2^31 in an upload is a rejected line, not a failed batch', async () => {
      await t.user('exit@example.com');
      const key = await t.key(['ingest.write'], 'exit@example.com');
      const lines = fs.readFileSync(EXEC, 'utf8').split('\n').filter(Boolean);
      const meta = lines.find((l) => l.includes('"session_meta"'))!;
      const ts = JSON.parse(meta).timestamp;
      const end = JSON.stringify({
        timestamp: ts,
        type: 'event_msg',
        payload: { type: 'exec_command_end', call_id: 'c1', exit_code: 2 ** 31, duration: { secs: 1, nanos: 0 } },
      });
      const text = [meta, end];
      const wire = text.map((l) => ({ n: Buffer.byteLength(l), t: l }));
      const body = { files: [{ path: EXEC, offset: 0, line: 0, lines: wire, final: true }] };
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: body,
      });
      assert.equal(r.statusCode, 200, r.body);
      const file = r.json().files[0];
      assert.equal(file.skipped, 1);
      assert.match(file.rejected[0].detail, /exitCode 2147483648 is not a 32-bit integer/);
    });
  });
}

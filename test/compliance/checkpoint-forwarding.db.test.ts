// Each signed checkpoint goes to every sink as an event of its own (STEWARD_CHECKPOINT), after the
// records it seals, whatever the sink's event-type filter: an outside witness then holds every head.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { checkpointNow, generateSigningKey, loadSigningKey } from '../../src/compliance/verify/checkpoint.service.js';
import { startComplianceJobs } from '../../src/compliance/jobs.service.js';
import { appendN } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const quiet = { info() {}, warn() {}, error() {} };

for (const dialect of DIALECTS) {
  describe(`checkpoints forwarded to the sinks (${dialect})`, () => {
    let s: TestStore;
    let dir: string;
    before(async () => {
      s = await makeStore(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cpfwd-'));
    });
    after(async () => {
      await s.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('sends each stored checkpoint once, after its records', async () => {
      const ws = 'ws-cp';
      const key = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      await appendN(s.db, ws, 5, {}, 5);
      const cp1 = await checkpointNow(s.db, ws, key, true);
      await appendN(s.db, ws, 3, {}, 3);
      const cp2 = await checkpointNow(s.db, ws, key, true);
      const out = path.join(dir, 'sink.jsonl');
      const config = configSchema.parse({ data: dir, compliance: { checkpoint_interval_minutes: 0, retention: { interval_hours: 0 }, sinks: [{ name: 'files', type: 'file', path: out, event_types: ['AUTH_LOG'], retry_initial_ms: 20, retry_max_ms: 100 }] } });
      const jobs = startComplianceJobs(s.db, config, quiet, { pollMs: 20, leaseMs: 3000 });
      try {
        const lines = async () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
        const t0 = Date.now();
        while ((await lines()).length < 2 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 200)); // nothing more comes
        const got = await lines();
        assert.deepEqual(got.map((l) => [l.event_type, l.seq, l.hash]), [['STEWARD_CHECKPOINT', 5, cp1.hash], ['STEWARD_CHECKPOINT', 8, cp2.hash]]);
        assert.equal(got[1].checkpoint.signature, cp2.signature);
        assert.equal(got[1].checkpoint.prev_seq, 5);
      } finally {
        await jobs.stop();
      }
    });
  });
}

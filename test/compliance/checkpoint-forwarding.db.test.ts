// Each signed checkpoint goes to every sink as an event of its own (STEWARD_CHECKPOINT), after the
// records it seals, whatever the sink's event-type filter: an outside witness then holds every head.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { checkpointNow, generateSigningKey, loadSigningKey } from '../../src/compliance/verify/checkpoint.service.js';
import { startComplianceJobs } from '../../src/compliance/jobs.service.js';
import { sinkStatus } from '../../src/compliance/sinks/sinks-status.service.js';
import { listenOnLoopback } from '../support/listen.js';
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
      const config = configSchema.parse({
        data: dir,
        compliance: {
          checkpoint_interval_minutes: 0,
          retention: { interval_hours: 0 },
          sinks: [
            {
              name: 'files',
              type: 'file',
              path: out,
              event_types: ['AUTH_LOG'],
              retry_initial_ms: 20,
              retry_max_ms: 100,
            },
          ],
        },
      });
      const jobs = startComplianceJobs(s.db, config, quiet, { pollMs: 20, leaseMs: 3000 });
      try {
        const lines = async () =>
          fs.existsSync(out)
            ? fs
                .readFileSync(out, 'utf8')
                .trim()
                .split('\n')
                .filter(Boolean)
                .map((l) => JSON.parse(l))
            : [];
        const t0 = Date.now();
        while ((await lines()).length < 2 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 200)); // nothing more comes
        const got = await lines();
        assert.deepEqual(
          got.map((l) => [l.event_type, l.seq, l.hash]),
          [
            ['STEWARD_CHECKPOINT', 5, cp1.hash],
            ['STEWARD_CHECKPOINT', 8, cp2.hash],
          ],
        );
        assert.equal(got[1].checkpoint.signature, cp2.signature);
        assert.equal(got[1].checkpoint.prev_seq, 5);
      } finally {
        await jobs.stop();
      }
    });
  });
}

// A sink that refuses checkpoints for good (400) but takes records: the refused checkpoint is a dead
// letter and the sink's status says so, instead of a warning in the log alone.
for (const dialect of DIALECTS) {
  describe(`a checkpoint a sink refuses is kept as a dead letter (${dialect})`, () => {
    let s: TestStore;
    let server: http.Server;
    let url: string;
    before(async () => {
      s = await makeStore(dialect);
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (body.includes('"STEWARD_CHECKPOINT"'))
            return void res.writeHead(400).end('{"error":"unknown event type"}');
          res.writeHead(204).end();
        });
      });
      url = `http://127.0.0.1:${(await listenOnLoopback(server, 0)).port}/hook`;
    });
    after(async () => {
      server.close();
      server.closeAllConnections();
      await s.cleanup();
    });

    it('records the refusal in compliance_dead_letters and the sink status', async () => {
      const ws = 'ws-cp-dead';
      const key = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      await appendN(s.db, ws, 4, {}, 4);
      const cp = await checkpointNow(s.db, ws, key, true);
      const sink = {
        name: 'hook',
        type: 'webhook',
        url,
        secret: 'a-webhook-secret-of-16+',
        retry_initial_ms: 20,
        retry_max_ms: 100,
      };
      const config = configSchema.parse({
        compliance: { checkpoint_interval_minutes: 0, retention: { interval_hours: 0 }, sinks: [sink] },
      });
      const jobs = startComplianceJobs(s.db, config, quiet, { pollMs: 20, leaseMs: 3000 });
      try {
        const dead = () =>
          s.db.selectFrom('compliance_dead_letters').selectAll().where('workspace_id', '=', ws).execute();
        const t0 = Date.now();
        while ((await dead()).length === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
        const rows = await dead();
        assert.deepEqual(
          rows.map((r) => [r.record_id, Number(r.seq)]),
          [[`checkpoint-${cp.key_id}-${cp.seq}`, cp.seq]],
        );
        assert.match(rows[0].error, /400/);
        const status = await sinkStatus(s.db, ws, config.compliance.sinks);
        assert.match(JSON.stringify(status), /checkpoint\(s\) refused/);
      } finally {
        await jobs.stop();
      }
    });
  });
}

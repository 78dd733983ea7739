// SIEM forwarding on both databases, against loopback receivers shaped like Splunk HEC,
// Elasticsearch _bulk, a syslog RFC 5424 TCP listener and an HMAC-checking webhook, plus rotated
// local files: every record arrives exactly once and in order across a receiver outage (down, or
// answering 503) and a Steward restart; repeats happen only for deliveries whose acknowledgement
// was lost, and are deduplicable by record id; a record a receiver refuses for good becomes a dead
// letter and does not block the rest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import type { RecordDraft } from '../../src/core/compliance.js';
import { startComplianceJobs, type ComplianceJobs } from '../../src/compliance/jobs.service.js';
import { sinkStatus } from '../../src/compliance/sinks/sinks-status.service.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { appendRecords } from '../../src/compliance/chain/chain.repository.js';
import { chainRows } from '../support/compliance.js';
import {
  dedupe,
  elasticReceiver,
  hecReceiver,
  selfSignedCert,
  syslogReceiver,
  until,
  webhookReceiver,
  type Receiver,
} from '../support/siem-receivers.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const WS = 'ws-siem';
const TYPES = ['CODEX_LOG', 'AUDIT_LOG', 'AUTH_LOG', 'CODEX_SECURITY_LOG'] as const;
const quiet = { info() {}, warn() {}, error() {} };
let n = 0;
const drafts = (count: number, extra: Partial<RecordDraft> = {}): RecordDraft[] =>
  Array.from({ length: count }, () => {
    n++;
    return {
      eventType: TYPES[n % 4],
      ts: Date.now(),
      userId: 'u1',
      threadId: `t${n % 5}`,
      content: { n, text: `record ${n} "quoted" ]bracket\\ é` },
      ...extra,
    };
  });

for (const dialect of DIALECTS) {
  describe(`SIEM sinks (${dialect})`, () => {
    let s: TestStore;
    let dir: string;
    let hec: Awaited<ReturnType<typeof hecReceiver>>;
    let es: Awaited<ReturnType<typeof elasticReceiver>>;
    let sys: Awaited<ReturnType<typeof syslogReceiver>>;
    let hook: Awaited<ReturnType<typeof webhookReceiver>>;
    let jobs: ComplianceJobs;
    let store: Store;
    let config: ReturnType<typeof configSchema.parse>;

    const append = (db: Store['db'], d: RecordDraft[]) => db.transaction().execute((trx) => appendRecords(trx, WS, d));
    const start = () => startComplianceJobs(store.db, config, quiet, { pollMs: 20, leaseMs: 3000 });
    const allIds = async () => (await chainRows(store.db, WS)).map((r) => r.id);
    const fileIds = () => {
      const base = path.join(dir, 'out', 'compliance.jsonl');
      const files = fs.readdirSync(path.dirname(base)).filter((f) => f.startsWith('compliance.jsonl'));
      const order = (f: string) => (f === 'compliance.jsonl' ? 0 : Number(f.split('.').pop()));
      files.sort((a, b) => order(b) - order(a)); // oldest rotation first
      return files.flatMap((f) =>
        fs
          .readFileSync(path.join(path.dirname(base), f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      );
    };
    const caughtUp = async (receivers: Receiver[]) => {
      const ids = await allIds();
      const codex = (await chainRows(store.db, WS)).filter((r) => r.event_type === 'CODEX_LOG').map((r) => r.id);
      await until(
        `receivers to catch up to ${ids.length} records`,
        () => receivers.every((r) => dedupe(r.ids).length === ids.length) && fileIds().length === codex.length,
      );
    };

    before(async () => {
      s = await makeStore(dialect);
      store = s;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-siem-'));
      hec = await hecReceiver('hec-token');
      es = await elasticReceiver();
      sys = await syslogReceiver();
      hook = await webhookReceiver('webhook-secret-0123456789');
      const fast = { batch_size: 7, retry_initial_ms: 20, retry_max_ms: 200, timeout_ms: 2000 };
      config = configSchema.parse({
        compliance: {
          checkpoint_interval_minutes: 0,
          retention: { interval_hours: 0 },
          sinks: [
            { name: 'splunk', type: 'splunk_hec', url: hec.url, token: 'hec-token', ...fast },
            { name: 'elastic', type: 'elasticsearch', url: es.url, index: 'steward-test', ...fast },
            { name: 'syslog', type: 'syslog', host: '127.0.0.1', port: sys.port, hostname: 'steward-test', ...fast },
            { name: 'hook', type: 'webhook', url: `${hook.url}/hook`, secret: 'webhook-secret-0123456789', ...fast },
            {
              name: 'files',
              type: 'file',
              path: path.join(dir, 'out', 'compliance.jsonl'),
              max_bytes: 4096,
              max_files: 100,
              event_types: ['CODEX_LOG'],
              ...fast,
            },
          ],
        },
      });
    });
    after(async () => {
      await jobs?.stop();
      for (const r of [hec, es, sys, hook]) await r?.close();
      if (store !== s) await store.close();
      await s.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('delivers every record once, in order, across an outage, lost acknowledgements and a restart', async () => {
      // 1. Steady state, with one document Elasticsearch refuses for good.
      await append(store.db, drafts(20));
      await append(store.db, drafts(1, { eventType: 'CODEX_LOG', content: { poison: true } }));
      await append(store.db, drafts(9));
      jobs = start();
      await caughtUp([hec, es, sys, hook]);

      // 2. Outage: HEC answers 503, the others are gone; records keep coming.
      await until('forwarders idle', async () =>
        (await sinkStatus(store.db, WS, config.compliance.sinks)).every((x) => x.lag === 0),
      );
      hec.mode = 'fail503';
      await Promise.all([es.down(), sys.down(), hook.down()]);
      for (let i = 0; i < 5; i++) await append(store.db, drafts(5));
      await new Promise((r) => setTimeout(r, 400));
      const during = await sinkStatus(store.db, WS, config.compliance.sinks);
      for (const name of ['splunk', 'elastic', 'syslog', 'hook']) {
        const st = during.find((x) => x.name === name)!;
        assert.equal(st.lag, 25, `${name} moved its cursor during the outage`);
        assert.ok(st.last_error, `${name} has no last_error`);
      }
      hec.mode = 'ok';
      await Promise.all([es.up(), sys.up(), hook.up()]);
      await caughtUp([hec, es, sys, hook]);

      // 3. Acknowledgements lost: HEC and the webhook take a batch but the answer never arrives.
      hec.mode = 'dropAck';
      hook.mode = 'dropAck';
      await append(store.db, drafts(10));
      await caughtUp([hec, es, sys, hook]);
      assert.ok(hec.unacked.size > 0 && hook.unacked.size > 0);

      // 4. Restart: stop (cursors persist), write while down, start on a fresh store handle.
      await jobs.stop();
      await append(store.db, drafts(8));
      store = openStore(s.reopen);
      await append(store.db, drafts(12));
      jobs = start();
      await caughtUp([hec, es, sys, hook]);

      const ids = await allIds();
      assert.equal(ids.length, 85);
      for (const r of [hec, es, sys, hook]) {
        assert.deepEqual(dedupe(r.ids), ids, `${r.name}: not every record once in order`);
        const repeats = r.ids.filter((id, i) => r.ids.indexOf(id) !== i);
        for (const id of repeats) assert.ok(r.unacked.has(id), `${r.name} got ${id} twice although it acknowledged it`);
      }
      assert.equal(sys.ids.length, ids.length, 'syslog repeated records');
      assert.equal(es.ids.length, ids.length, 'elasticsearch repeated records');
      assert.ok(hec.ids.length > ids.length && hook.ids.length > ids.length, 'lost acknowledgements caused no resend');
      assert.equal(hook.badSignatures, 0);

      // Elasticsearch kept everything but the poisoned document, which is a dead letter.
      const poison = (await chainRows(store.db, WS))[20].id;
      assert.equal(es.docs.size, ids.length - 1);
      assert.ok(!es.docs.has(poison));
      const doc = es.docs.get(ids[0]);
      assert.equal(doc['@timestamp'], doc.steward.timestamp);
      assert.equal(doc.event.id, ids[0]);
      assert.equal(doc.event.dataset, `steward.${doc.steward.event_type.toLowerCase()}`);
      assert.equal(doc.event.sequence, 1);
      // A sink persists its cursor just after the receiver has the batch: wait for that commit.
      await until('cursors persisted', async () =>
        (await sinkStatus(store.db, WS, config.compliance.sinks)).every((x) => x.lag === 0),
      );
      const status = await sinkStatus(store.db, WS, config.compliance.sinks);
      assert.deepEqual(
        status.map((x) => [x.name, x.lag, x.dead_letters]),
        [
          ['splunk', 0, 0],
          ['elastic', 0, 1],
          ['syslog', 0, 0],
          ['hook', 0, 0],
          ['files', 0, 0],
        ],
      );
      const dl = await store.db.selectFrom('compliance_dead_letters').selectAll().execute();
      assert.deepEqual(
        dl.map((d) => [d.sink, d.record_id]),
        [['elastic', poison]],
      );

      // The file sink: only CODEX_LOG, rotated, once and in order; every line a full record.
      const lines = fileIds();
      assert.deepEqual(
        lines.map((l) => l.id),
        (await chainRows(store.db, WS)).filter((r) => r.event_type === 'CODEX_LOG').map((r) => r.id),
      );
      assert.ok(fs.readdirSync(path.join(dir, 'out')).length > 2, 'the file sink never rotated');
      assert.ok(lines.every((l) => l.hash && l.prev_hash && l.content));
    });

    it('syslog over TLS and the webhook over HTTPS check the receiver certificate against ca_file', async () => {
      const tlsFiles = selfSignedCert();
      const tsys = await syslogReceiver(tlsFiles);
      const thook = await webhookReceiver('webhook-secret-0123456789', tlsFiles);
      const untrusted = await syslogReceiver(tlsFiles);
      const cfg = configSchema.parse({
        compliance: {
          checkpoint_interval_minutes: 0,
          retention: { interval_hours: 0 },
          sinks: [
            {
              name: 'syslog-tls',
              type: 'syslog',
              host: '127.0.0.1',
              port: tsys.port,
              tls: true,
              ca_file: tlsFiles.caFile,
              retry_initial_ms: 20,
              retry_max_ms: 100,
            },
            {
              name: 'hook-tls',
              type: 'webhook',
              url: `${thook.url}/hook`,
              secret: 'webhook-secret-0123456789',
              ca_file: tlsFiles.caFile,
              retry_initial_ms: 20,
              retry_max_ms: 100,
            },
            {
              name: 'syslog-untrusted',
              type: 'syslog',
              host: '127.0.0.1',
              port: untrusted.port,
              tls: true,
              retry_initial_ms: 20,
              retry_max_ms: 100,
            },
          ],
        },
      });
      const tlsJobs = startComplianceJobs(store.db, cfg, quiet, { pollMs: 20, leaseMs: 3000 });
      try {
        const ids = await allIds();
        await until(
          'TLS receivers',
          () => dedupe(tsys.ids).length === ids.length && dedupe(thook.ids).length === ids.length,
        );
        assert.deepEqual(dedupe(tsys.ids), ids);
        assert.deepEqual(dedupe(thook.ids), ids);
        // Without ca_file the self-signed certificate is refused: nothing is sent, the cursor waits.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(untrusted.ids.length, 0);
        const st = (await sinkStatus(store.db, WS, cfg.compliance.sinks)).find((x) => x.name === 'syslog-untrusted')!;
        assert.equal(st.cursor_seq, 0);
        assert.match(st.last_error ?? '', /self[- ]signed|certificate/i);
      } finally {
        await tlsJobs.stop();
        for (const r of [tsys, thook, untrusted]) await r.close();
      }
    });
  });
}

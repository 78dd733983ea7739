// The background work `steward serve` runs for compliance: one forwarder per configured SIEM sink,
// retention on its interval, signed checkpoints on theirs, and the search indexer.
import type { Config } from '../config/schema.js';
import type { Db } from '../platform/storage/database.js';
import { getHead, listChainWorkspaces } from './chain/chain.repository.js';
import { listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { SYSTEM } from './audit.service.js';
import { checkpointNow, ensureSigningKey } from './verify/checkpoint.service.js';
import { SinkForwarder, type ForwarderOptions, type Logger } from './sinks/forwarder.service.js';
import { retentionDaysOf, runRetention } from './retention/retention.service.js';
import { createSink } from './sinks/sinks.js';
import { indexPending } from './reads/search-indexer.service.js';

export interface ComplianceJobs {
  forwarders: SinkForwarder[];
  stop(): Promise<void>;
}

export function startComplianceJobs(
  db: Db,
  config: Config,
  log: Logger,
  opts: ForwarderOptions & { firstRetentionDelayMs?: number; firstIndexDelayMs?: number } = {},
): ComplianceJobs {
  const c = config.compliance;
  const forwarders = c.sinks.filter((s) => s.enabled).map((s) => new SinkForwarder(db, createSink(s), s, log, opts));
  for (const f of forwarders) f.start();
  const timers: NodeJS.Timeout[] = [];

  const retentionMs = c.retention.interval_hours * 3_600_000;
  if (retentionMs > 0) {
    const run = async () => {
      for (const ws of await listWorkspaces(db)) {
        const r = await runRetention(db, ws.id, retentionDaysOf(c.retention), SYSTEM);
        log.info({ workspace: ws.id, purged: r.purged, run: r.run_id }, 'compliance retention run');
      }
    };
    const safe = () => void run().catch((err) => log.error({ err }, 'compliance retention run failed'));
    timers.push(setTimeout(safe, opts.firstRetentionDelayMs ?? 60_000).unref());
    timers.push(setInterval(safe, retentionMs).unref());
  }

  const checkpointMs = c.checkpoint_interval_minutes * 60_000;
  if (checkpointMs > 0) {
    // On by default: without a configured key one is made in the data directory.
    const key = ensureSigningKey(config);
    const signed = new Map<string, number>();
    const run = async () => {
      for (const ws of await listChainWorkspaces(db)) {
        const head = await getHead(db, ws);
        if (!head || head.seq === signed.get(ws)) continue;
        const cp = await checkpointNow(db, ws, key, true);
        signed.set(ws, cp.seq);
      }
    };
    timers.push(
      setInterval(
        () => void run().catch((err) => log.error({ err }, 'compliance checkpoint failed')),
        checkpointMs,
      ).unref(),
    );
  }

  // The search indexer: the next run is timed from the end of the last, so runs never overlap on
  // one node; on several nodes they may, harmlessly (indexNextRecords).
  const indexMs = c.search_index_interval_seconds * 1000;
  let indexing: Promise<void> = Promise.resolve();
  let stopped = false;
  let indexTimer: NodeJS.Timeout | undefined;
  if (indexMs > 0) {
    const next = () => {
      if (!stopped) indexTimer = setTimeout(tick, indexMs).unref();
    };
    const tick = () => {
      indexing = indexPending(db)
        .then(
          () => undefined,
          (err) => log.error({ err }, 'compliance search indexing failed'),
        )
        .finally(next);
    };
    indexTimer = setTimeout(tick, opts.firstIndexDelayMs ?? indexMs).unref();
  }

  return {
    forwarders,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      clearTimeout(indexTimer);
      await indexing;
      await Promise.all(forwarders.map((f) => f.stop()));
    },
  };
}

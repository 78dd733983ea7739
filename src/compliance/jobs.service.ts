// The background work `steward serve` runs for compliance: one forwarder per configured SIEM sink
// (a lease per sink and workspace), retention on its interval, signed checkpoints on theirs (once per
// period across the nodes of one database, decisions/0039), content partitions made ahead on
// PostgreSQL (decisions/0045), and the search indexer (decisions/0037).
import type { Config } from '../config/schema.js';
import type { Db } from '../platform/storage/database.js';
import { getHead, listChainWorkspaces } from './chain/chain.repository.js';
import { listCheckpoints } from './chain/integrity.repository.js';
import { newNodeId, startPeriodicJob, WHOLE_STORE } from '../platform/storage/jobs.js';
import { partitionsByTime } from '../platform/storage/dialect.js';
import { listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { SYSTEM } from './audit.service.js';
import { checkpointNow, ensureSigningKey } from './verify/checkpoint.service.js';
import { SinkForwarder, type ForwarderOptions, type Logger } from './sinks/forwarder.service.js';
import { retentionDaysOf, runRetention } from './retention/retention.service.js';
import { createSink } from './sinks/sinks.js';
import { indexPending } from './reads/search-indexer.service.js';
import { makeContentPartitionsAhead } from './retention/partitions.service.js';

// Content partitions (PostgreSQL) are made a week ahead; a run every 6 hours keeps that week
// through any day's rollover and a node's restart.
const PARTITIONS_PERIOD_MS = 6 * 3_600_000;

export interface ComplianceJobs {
  forwarders: SinkForwarder[];
  stop(): Promise<void>;
}

export function startComplianceJobs(
  db: Db,
  config: Config,
  log: Logger,
  opts: ForwarderOptions & {
    firstRetentionDelayMs?: number;
    firstIndexDelayMs?: number;
    firstPartitionsDelayMs?: number;
    partitionsPeriodMs?: number;
    /** Whether ingest is under way (the search indexer then takes less of SQLite's thread). */
    ingestBusy?: () => boolean;
  } = {},
): ComplianceJobs {
  const c = config.compliance;
  const node = opts.owner ?? newNodeId();
  const historyMs = config.server.job_history_days * 86_400_000;
  const leaseMs = config.server.job_lease_seconds * 1000;
  const forwarders = c.sinks
    .filter((s) => s.enabled)
    .map((s) => new SinkForwarder(db, createSink(s), s, log, { ...opts, owner: node }));
  for (const f of forwarders) f.start();
  const jobs: { stop(): Promise<void> }[] = [];
  const onError = (what: string) => (err: unknown, workspace: string | null) =>
    log.error({ err, workspace }, `compliance ${what} failed`);

  // Once per period and workspace across every node on the database (decisions/0039).
  const retentionMs = c.retention.interval_hours * 3_600_000;
  if (retentionMs > 0)
    jobs.push(
      startPeriodicJob(db, node, {
        job: 'compliance.retention',
        periodMs: retentionMs,
        historyMs,
        leaseMs,
        firstDelayMs: opts.firstRetentionDelayMs ?? Math.min(retentionMs, 60_000),
        workspaces: async () => (await listWorkspaces(db)).map((w) => w.id),
        run: async (ws) => {
          const r = await runRetention(db, ws, retentionDaysOf(c.retention), SYSTEM);
          log.info({ workspace: ws, purged: r.purged, run: r.run_id }, 'compliance retention run');
          return { run_id: r.run_id, purged: r.purged };
        },
        onError: onError('retention run'),
      }),
    );

  // Once per period across the nodes, for the whole store (the partitions hold every workspace).
  if (partitionsByTime(db))
    jobs.push(
      startPeriodicJob(db, node, {
        job: 'compliance.partitions',
        periodMs: opts.partitionsPeriodMs ?? PARTITIONS_PERIOD_MS,
        historyMs,
        leaseMs,
        firstDelayMs: opts.firstPartitionsDelayMs,
        workspaces: async () => [WHOLE_STORE],
        run: async () => ({ made: await makeContentPartitionsAhead(db) }),
        onError: onError('partitions'),
      }),
    );

  const checkpointMs = c.checkpoint_interval_minutes * 60_000;
  if (checkpointMs > 0) {
    // On by default: without a configured key one is made in the data directory.
    const key = ensureSigningKey(config);
    jobs.push(
      startPeriodicJob(db, node, {
        job: 'compliance.checkpoint',
        periodMs: checkpointMs,
        historyMs,
        leaseMs,
        workspaces: () => listChainWorkspaces(db),
        run: async (ws) => {
          // Only when the chain grew since the last checkpoint any node signed with this key.
          const head = await getHead(db, ws);
          const last = (await listCheckpoints(db, ws, 1, undefined, key.keyId))[0];
          if (!head || head.seq === last?.seq) return { signed: false };
          const cp = await checkpointNow(db, ws, key, true);
          return { signed: true, seq: cp.seq };
        },
        onError: onError('checkpoint'),
      }),
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
      indexing = indexPending(db, { busy: opts.ingestBusy })
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
      clearTimeout(indexTimer);
      await Promise.all(jobs.map((j) => j.stop()));
      await indexing;
      await Promise.all(forwarders.map((f) => f.stop()));
    },
  };
}

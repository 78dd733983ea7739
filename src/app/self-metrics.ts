// Steward watching itself: the gauges and histograms of /metrics that read the runtime (batches in
// flight, the writer's queue and groups, long reads, the database pool) and the archive (chain
// heads, sink lag and dead letters) at scrape time. The request and ingest counters are in
// platform/http/metrics.ts; docs/grafana/steward.json charts all of them.
import type { FastifyBaseLogger } from 'fastify';
import { Gauge, Histogram } from 'prom-client';
import { archiveStatus, type ArchiveStatus } from '../compliance/index.js';
import { pgPoolOf } from '../platform/storage/database.js';
import type { AppServices } from './app.js';

export function registerSelfMetrics(ctx: AppServices, log: FastifyBaseLogger): void {
  const registers = [ctx.metrics.registry];
  const writer = ctx.ingest.writer;
  const state = ctx.state;

  new Gauge({
    name: 'steward_ingest_batches_in_flight',
    help: 'Ingest requests holding a batch slot (ingest.max_concurrent_batches)',
    registers,
    collect() {
      this.set(state.inflightBatches);
    },
  });
  new Gauge({
    name: 'steward_ingest_writer_queue_batches',
    help: 'Batches waiting for the group writer (behind the group being written)',
    registers,
    collect() {
      this.set(writer.queued);
    },
  });
  new Gauge({
    name: 'steward_compliance_long_reads_in_flight',
    help: 'Log-file downloads, verifications and searches running (compliance.max_concurrent_reads)',
    registers,
    collect() {
      this.set(state.longReads);
    },
  });

  const groupBatches = new Histogram({
    name: 'steward_ingest_writer_group_batches',
    help: 'Batches committed together in one transaction by the group writer',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers,
  });
  const groupEvents = new Histogram({
    name: 'steward_ingest_writer_group_events',
    help: 'Events (and session items) per group-writer transaction',
    buckets: [1, 10, 50, 100, 500, 1000, 5000, 20000],
    registers,
  });
  const groupSeconds = new Histogram({
    name: 'steward_ingest_writer_group_seconds',
    help: 'Time to write and commit one group',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  writer.watchGroups((g) => {
    groupBatches.observe(g.batches);
    groupEvents.observe(g.events);
    groupSeconds.observe(g.seconds);
  });

  const pool = pgPoolOf(ctx.store.db);
  new Gauge({
    name: 'steward_db_pool_connections',
    help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one (none on SQLite)',
    labelNames: ['state'],
    registers,
    collect() {
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  // One read of the archive per scrape, shared by the gauges below (each collects on its own).
  let pending: Promise<ArchiveStatus | null> | null = null;
  const status = () =>
    (pending ??= archiveStatus(ctx.store.db, ctx.config.compliance.sinks)
      .catch((err: unknown) => {
        log.warn({ err }, 'metrics: could not read the archive status');
        return null;
      })
      .finally(() => setTimeout(() => (pending = null), 1000).unref()));

  const headGauge = (name: string, help: string, pick: (h: ArchiveStatus['heads'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['workspace_id'],
      registers,
      async collect() {
        const s = await status();
        if (!s) return;
        this.reset();
        for (const h of s.heads) this.set({ workspace_id: h.workspace_id }, pick(h));
      },
    });
  headGauge(
    'steward_compliance_chain_head_seq',
    "Each workspace's compliance chain head (records appended)",
    (h) => h.seq,
  );
  headGauge(
    'steward_compliance_chain_head_timestamp_seconds',
    "When each workspace's chain head was appended (Unix seconds)",
    (h) => h.recorded_at / 1000,
  );
  headGauge(
    'steward_compliance_search_unindexed_records',
    "Records past each workspace's search index (the search indexer's lag; searches scan them)",
    (h) => h.unindexed,
  );
  const sinkGauge = (name: string, help: string, pick: (x: ArchiveStatus['sinks'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['workspace_id', 'sink'],
      registers,
      async collect() {
        const s = await status();
        if (!s) return;
        this.reset();
        for (const x of s.sinks) this.set({ workspace_id: x.workspace_id, sink: x.sink }, pick(x));
      },
    });
  sinkGauge('steward_sink_lag_records', 'Records of the chain a SIEM sink has not delivered yet', (x) => x.lag);
  sinkGauge('steward_sink_dead_letters', 'Records a SIEM sink gave up on (dead letters)', (x) => x.dead_letters);
  sinkGauge('steward_sink_delivered_records', 'Records a SIEM sink has delivered', (x) => x.delivered);
}

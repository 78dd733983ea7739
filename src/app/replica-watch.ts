// What an operator sees of the read replica (decisions/0051, 0055): three metrics, and log lines only when
// its state changes, plus while it stays unreachable at most one reminder a minute (a retry fails
// every database_read_retry_seconds; a line each time would be noise).
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { AppServices } from './app.js';

const REMIND_MS = 60_000;

/** Subscribes to the store's replica, if it has one; returns the unsubscribe. */
export function watchReplica(ctx: AppServices, log: FastifyBaseLogger): () => void {
  const replica = ctx.store.replica;
  if (!replica) return () => undefined;
  const registers = [ctx.metrics.registry];
  new Gauge({
    name: 'steward_read_replica_up',
    help:
      'Whether the read replica (database_read_url) could be reached at its last use: 1, or 0 while ' +
      'analytics reads go to the primary',
    registers,
    collect() {
      this.set(replica.status().state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'steward_read_replica_lag_seconds',
    help:
      "The read replica's lag as X-Steward-Replica-Lag-Ms reports it (0 while it has replayed all it " +
      'received); NaN while it cannot be reached or cannot tell',
    registers,
    async collect() {
      // Asked afresh, as /readyz does: a scrape every few seconds costs one round trip each.
      const { status, lagMs } = await replica.probe();
      this.set(status.state === 'up' && lagMs !== null ? lagMs / 1000 : NaN);
    },
  });
  const fallbacks = new Counter({
    name: 'steward_read_replica_fallback_reads_total',
    help: 'Analytics reads the primary answered because the read replica could not be reached',
    registers,
  });
  let reminded = 0;
  return replica.watch((e) => {
    switch (e.kind) {
      case 'fallback_read':
        fallbacks.inc();
        return;
      case 'down':
        reminded = Date.now();
        log.warn(
          { replica_error: e.error, retry_s: e.retryMs / 1000 },
          'read replica unreachable: analytics reads go to the primary until it answers again',
        );
        return;
      case 'still_down':
        if (Date.now() - reminded < REMIND_MS) return;
        reminded = Date.now();
        log.warn(
          { replica_error: e.error, down_s: Math.round(e.downMs / 1000), fallback_reads: e.fallbackReads },
          'read replica still unreachable: analytics reads go to the primary',
        );
        return;
      case 'up':
        log.info(
          { down_s: Math.round(e.downMs / 1000), fallback_reads: e.fallbackReads },
          'read replica reachable again: analytics reads go back to it',
        );
    }
  });
}

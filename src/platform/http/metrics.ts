// Prometheus metrics at /metrics. One registry per app instance (tests build many apps).
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  ingestRecords: Counter<'source' | 'outcome'>;
  ingestRejected: Counter<'source' | 'reason'>;
  ingestFacts: Counter<'kind' | 'outcome'>;
  ingestRefused: Counter<'source' | 'reason'>;
}

// The receivers' routes, by the source label their other metrics use.
const INGEST_ROUTES: Record<string, string> = {
  '/v1/logs': 'otlp',
  '/v1/ingest/rollouts': 'rollout',
  '/v1/ingest/code_review_events': 'code_review',
  '/v1/integrations/github/webhook': 'github',
};

/** What one ingested batch added: records accepted or rejected (by reason), and the facts stored. */
export interface IngestOutcome {
  accepted: number;
  rejected: number;
  // Of the accepted, records of a type Steward does not know (kept, never an error).
  unknown?: number;
  rejectedByReason?: Record<string, number>;
  stored: {
    threads: number;
    turns: number;
    requests: number;
    tools: number;
    duplicates: number;
    // Other Codex events kept, skill invocations, unknown event names / line types (decisions/0024).
    events?: number;
    skills?: number;
    unknown?: number;
  };
}

/** Counts a batch the same way for every receiver. */
export function countIngest(m: Metrics, source: string, o: IngestOutcome): void {
  m.ingestRecords.inc({ source, outcome: 'accepted' }, o.accepted);
  if (o.rejected) m.ingestRecords.inc({ source, outcome: 'rejected' }, o.rejected);
  if (o.unknown) m.ingestRecords.inc({ source, outcome: 'unknown' }, o.unknown);
  for (const [reason, n] of Object.entries(o.rejectedByReason ?? {})) m.ingestRejected.inc({ source, reason }, n);
  for (const kind of ['threads', 'turns', 'requests', 'tools', 'events', 'skills'] as const) {
    m.ingestFacts.inc({ kind, outcome: 'new' }, o.stored[kind] ?? 0);
  }
  // Kept like any event; counted apart so an operator sees a release's new events arrive.
  m.ingestFacts.inc({ kind: 'events', outcome: 'unknown' }, o.stored.unknown ?? 0);
  m.ingestFacts.inc({ kind: 'facts', outcome: 'duplicate' }, o.stored.duplicates);
}

export function createMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'steward_' });
  const requests = new Counter({
    name: 'steward_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'steward_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['route'],
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Acknowledgement latency: from the request's first byte to a 2xx of a receiver, i.e. until the
  // batch is committed (a sender may drop its copy then). Refusals are counted apart (refused_total).
  const ack = new Histogram({
    name: 'steward_ingest_ack_seconds',
    help: 'Time until an ingest request is acknowledged (2xx), by source',
    labelNames: ['source'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
    const source = INGEST_ROUTES[route];
    if (source && reply.statusCode < 300) ack.observe({ source }, reply.elapsedTime / 1000);
  });
  return {
    registry,
    ingestRecords: new Counter({
      name: 'steward_ingest_records_total',
      help:
        'Ingested records by source and outcome: accepted | rejected, and unknown ' +
        '(of the accepted: kept, of a type Steward does not know yet)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: 'steward_ingest_rejected_records_total',
      help: 'Rejected records by reason',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    ingestFacts: new Counter({
      name: 'steward_ingest_facts_total',
      help:
        'Stored facts (threads, turns, responses, tool calls, other Codex events, skills): ' +
        'new, duplicate (replays) or unknown (events kept whose name Steward does not know)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    ingestRefused: new Counter({
      name: 'steward_ingest_refused_total',
      help: "Receiver requests refused by source and reason (admission's own, or the error code)",
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
  };
}

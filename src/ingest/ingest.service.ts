// The ingest use-case shared by every receiver: normalized events in, one transaction out.
import type { DropReason, DropTally, NormalizedEvent } from '../core/events.js';
import { runPipeline } from './pipeline/run.js';
import type { Principal, Redacted } from './pipeline/steps.js';
import type { IngestDeps } from './ingest.runtime.js';
import { noCounts, type IngestCounts } from '../core/ingest-counts.js';
import { listUsers } from '../platform/tenancy/users.repository.js';
import type { IngestRequestMeta } from '../core/compliance-records.js';
import type { SessionItem } from '../core/session-items.js';
import type { ContentApplier, ContentPolicy } from '../core/content-policy.js';

export interface IngestOptions {
  source: 'otlp' | 'rollout' | 'api';
  hostName?: string;
  creditsPerUsd: number;
  // Request metadata recorded in CODEX_LOG (host, app version, …).
  requestMeta?: Omit<IngestRequestMeta, 'keyId'>;
  // false skips content policy, DLP and compliance records (baseline for bench/compliance.bench.ts).
  recordCompliance?: boolean;
  // Session-file content for the archive, written in the same transaction as the events.
  items?: SessionItem[];
  // What the caller already applied the content policy to (the items' texts), used while it
  // holds the workspace's current policy.
  contentApplier?: ContentApplier;
}

export interface IngestOutcome {
  stored: IngestCounts;
  items: number; // session items archived for the first time
  rejected: { index: number; reason: DropReason; detail?: string }[];
  rejectedByReason: DropTally;
}

export async function ingestEvents(
  deps: IngestDeps,
  principal: Principal,
  inputs: { index: number; event: NormalizedEvent }[],
  opts: IngestOptions,
): Promise<IngestOutcome> {
  // Shared collector keys attribute by email claim; load the workspace's users once per batch.
  const { db, policies } = deps;
  let emails: Map<string, string> | undefined;
  if (principal.sharedCollector) {
    emails = new Map((await listUsers(db, principal.workspaceId)).map((u) => [u.email, u.id]));
  }
  const policy = opts.recordCompliance === false ? undefined : await policies.for(db, principal.workspaceId);
  const { events, drops, dropsByReason } = runPipeline(inputs, principal, {
    source: opts.source,
    hostName: opts.hostName,
    creditsPerUsd: opts.creditsPerUsd,
    userIdForEmail: (email) => emails?.get(email),
    contentPolicy: policy,
    contentApplier: policy && opts.contentApplier?.appliesTo(policy) ? opts.contentApplier : undefined,
  });
  const { stored, items } = await writePrepared(deps, principal, events, opts.items, {
    policy,
    hostName: opts.hostName,
    requestMeta: opts.requestMeta,
  });
  return { stored, items, rejected: drops, rejectedByReason: dropsByReason };
}

/**
 * The write half of ingestEvents, for events a caller already ran through the pipeline with
 * `policy` (session files read on threads: parsing, DLP and the steps run there, decisions/0048).
 * Without a policy nothing is archived (no compliance records, no items).
 */
export async function writePrepared(
  deps: IngestDeps,
  principal: Principal,
  events: Redacted[],
  items: SessionItem[] | undefined,
  opts: { policy?: ContentPolicy; hostName?: string; requestMeta?: Omit<IngestRequestMeta, 'keyId'> },
): Promise<{ stored: IngestCounts; items: number }> {
  const kept = opts.policy && items?.length ? items : undefined;
  if (!events.length && !kept) return { stored: noCounts(), items: 0 };
  // Facts, rollups and their compliance records commit together (grouped with concurrent batches).
  const { items: archived, ...stored } = await deps.writer.submit({
    workspaceId: principal.workspaceId,
    events,
    policy: opts.policy,
    meta: { keyId: principal.keyId, host: opts.hostName, ...opts.requestMeta },
    items: kept,
  });
  return { stored, items: archived };
}

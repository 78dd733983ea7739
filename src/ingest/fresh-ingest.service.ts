// Loading a new workspace's history in bulk (decisions/0044): normalized events through the same
// pipeline steps as ingestEvents (identify > key > classify > price; no content policy, so no
// content and no archive records), stored by storeFreshEvents in one transaction per call. Only for
// events the store has never seen from one source; everything else takes ingestEvents.
import type { DropReason, NormalizedEvent } from '../core/events.js';
import { countsOf, type IngestCounts } from '../core/ingest-counts.js';
import type { Db } from '../platform/storage/database.js';
import { listUsers } from '../platform/tenancy/users.repository.js';
import { storeFreshEvents } from './fresh-batch.repository.js';
import { runPipeline } from './pipeline/run.js';
import type { Principal } from './pipeline/steps.js';

export interface FreshLoadOptions {
  source: 'otlp' | 'rollout' | 'api';
  hostName?: string;
  creditsPerUsd: number;
  /** The workspace's users by email (shared collector keys attribute by email claim); read if absent. */
  emails?: ReadonlyMap<string, string>;
}

export interface FreshLoadOutcome {
  stored: IngestCounts;
  rejected: { index: number; reason: DropReason; detail?: string }[];
}

export async function loadFreshEvents(
  db: Db,
  principal: Principal,
  inputs: { index: number; event: NormalizedEvent }[],
  opts: FreshLoadOptions,
): Promise<FreshLoadOutcome> {
  let emails = opts.emails;
  if (principal.sharedCollector && !emails)
    emails = new Map((await listUsers(db, principal.workspaceId)).map((u) => [u.email, u.id]));
  const { events, drops } = runPipeline(inputs, principal, {
    source: opts.source,
    hostName: opts.hostName,
    creditsPerUsd: opts.creditsPerUsd,
    userIdForEmail: (email) => emails?.get(email),
  });
  if (events.length) await db.transaction().execute((trx) => storeFreshEvents(trx, events));
  return { stored: countsOf(events, events), rejected: drops };
}

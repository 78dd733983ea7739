// The ingest use-case shared by every receiver: normalized events in, one transaction out.
import type { DropReason, NormalizedEvent } from '../core/events.js';
import { runPipeline } from '../pipeline/run.js';
import type { Principal } from '../pipeline/steps.js';
import type { Db } from '../storage/database.js';
import { storeEvents, type StoreResult } from '../storage/repositories/ingest.repository.js';
import { listUsers } from '../storage/repositories/users.repository.js';

export interface IngestOptions {
  source: 'otlp' | 'rollout' | 'api';
  hostName?: string;
  creditsPerUsd: number;
}

export interface IngestOutcome {
  stored: StoreResult;
  rejected: { index: number; reason: DropReason | string; detail?: string }[];
}

export async function ingestEvents(db: Db, principal: Principal, inputs: { index: number; event: NormalizedEvent }[], opts: IngestOptions): Promise<IngestOutcome> {
  // Shared collector keys attribute by email claim; load the workspace's users once per batch.
  let emails: Map<string, string> | undefined;
  if (principal.sharedCollector) {
    emails = new Map((await listUsers(db, principal.workspaceId)).map((u) => [u.email, u.id]));
  }
  const { events, drops } = runPipeline(inputs, principal, {
    source: opts.source,
    hostName: opts.hostName,
    creditsPerUsd: opts.creditsPerUsd,
    userIdForEmail: (email) => emails?.get(email),
  });
  const stored = events.length ? await db.transaction().execute((trx) => storeEvents(trx, events)) : { threads: 0, turns: 0, requests: 0, tools: 0, duplicates: 0 };
  return { stored, rejected: drops };
}

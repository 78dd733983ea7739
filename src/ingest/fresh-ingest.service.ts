// Loading a new workspace's history in bulk (decisions/0044): normalized events through the same
// pipeline steps as ingestEvents (identify > key > classify > price; no content policy, so no
// content and no archive records) and into their rows and rollups by prepareFreshEvents, which does
// no I/O (a worker thread runs it: decisions/0049); storePreparedFresh writes them in one
// transaction per call. Only for events the store has never seen from one source; everything else
// takes ingestEvents.
import type { DropReason, NormalizedEvent } from '../core/events.js';
import { countsOf, type IngestCounts } from '../core/ingest-counts.js';
import { flatPart, type FlatPart } from '../platform/storage/bulk-insert.js';
import type { Db } from '../platform/storage/database.js';
import { createIndexes, dropIndexes, secondaryIndexes, tablesEmpty } from '../platform/storage/deferred-indexes.js';
import { FRESH_FACT_TABLES, freshBatchParts, type FreshParts, storeFreshParts } from './fresh-batch.repository.js';
import { runPipeline } from './pipeline/run.js';
import type { Principal } from './pipeline/steps.js';

export interface FreshLoadOptions {
  source: 'otlp' | 'rollout' | 'api';
  hostName?: string;
  creditsPerUsd: number;
  /** The workspace's users by email (shared collector keys attribute by email claim). */
  emails: ReadonlyMap<string, string>;
}

/** A batch made ready to write: its rows, flat (cheap to pass between threads), and what it stores. */
export interface PreparedFresh {
  parts: FreshParts<FlatPart> | null;
  stored: IngestCounts;
  rejected: { index: number; reason: DropReason; detail?: string }[];
}

export function prepareFreshEvents(
  principal: Principal,
  inputs: { index: number; event: NormalizedEvent }[],
  opts: FreshLoadOptions,
): PreparedFresh {
  const { events, drops } = runPipeline(inputs, principal, {
    source: opts.source,
    hostName: opts.hostName,
    creditsPerUsd: opts.creditsPerUsd,
    userIdForEmail: (email) => opts.emails.get(email),
  });
  const parts = events.length ? freshBatchParts(events) : null;
  return {
    parts: parts && { ...parts, facts: parts.facts.map(flatPart), rollups: parts.rollups.map(flatPart) },
    stored: countsOf(events, events),
    rejected: drops,
  };
}

/** Writes what prepareFreshEvents made, in one transaction. */
export async function storePreparedFresh(db: Db, prepared: PreparedFresh): Promise<void> {
  const parts = prepared.parts;
  if (parts) await db.transaction().execute((trx) => storeFreshParts(trx, parts));
}

/**
 * Runs `load` (its storePreparedFresh calls) with the fact tables' plain secondary indexes set aside
 * when those tables hold no row at all in the store, and builds them once after it, also when it
 * fails (decisions/0056). In a store that has facts already the indexes stay: others read them.
 */
export async function withFactIndexesDeferred<T>(db: Db, load: () => Promise<T>): Promise<T> {
  const deferred = (await tablesEmpty(db, FRESH_FACT_TABLES)) ? await secondaryIndexes(db, FRESH_FACT_TABLES) : [];
  await dropIndexes(db, deferred);
  try {
    return await load();
  } finally {
    await createIndexes(db, deferred);
  }
}

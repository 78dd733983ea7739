// Retention by partition on PostgreSQL (decisions/0045). CODEX_LOG content, nearly all of the
// archive's bytes, is kept in one partition per UTC day of event time; a job makes them a week
// ahead. A day wholly older than the type's cutoff is removed whole: in one transaction, the
// "retention.removed" records of every seq in it are appended to the chain of each workspace that
// has content there (the explanation verify requires, the same draft as a batch of row deletes),
// then the partition is detached and dropped. A partition an active legal hold reaches, or whose
// lock cannot be had in time, is left to the row deletes that follow (retention.service.ts), as
// are the day straddling the cutoff, the default partition (late events) and the other types.
// Partitions hold every workspace's content and the retention rule is the store's, so the drop
// explains itself in every workspace it touches (as the system in workspaces other than the run's).
// The search index's copy of the content has the same partitions (migration 0042, decisions/0059):
// a day's twin is dropped with it, or its rows deleted where the twin is missing.
import { sql } from 'kysely';
import type { ComplianceEventType } from '../../core/compliance.js';
import { removalDraft } from '../../core/compliance-removals.js';
import { DAY_MS } from '../../core/time.js';
import type { Db } from '../../platform/storage/database.js';
import { partitionsByTime } from '../../platform/storage/dialect.js';
import {
  addRangePartition,
  dayPartitionName,
  detachAndDrop,
  partitionsOf,
  startOfDay,
} from '../../platform/storage/partitions.js';
import { SYSTEM, type Actor } from '../audit.service.js';
import { appendRecords } from '../chain/chain.repository.js';
import { removePartitionFromIndex } from '../reads/search-index.repository.js';
import { activeHoldsByWorkspace, freezePartition, partitionHeld, seqsInPartition } from './partitions.repository.js';
import { insertRemoval } from './retention.repository.js';

// The event types whose content is partitioned by day (migration 0040), and their parent tables:
// the content's and the search index's (0042), whose partitions have the same suffixes and bounds.
interface DayParents {
  content: string;
  index: string;
}
const DAY_PARTITIONED: Partial<Record<ComplianceEventType, DayParents>> = {
  CODEX_LOG: { content: 'compliance_content_codex_log', index: 'compliance_search_index_codex_log' },
};
const AHEAD_DAYS = 7;
// How long a drop waits for its locks before leaving the partition to row deletes: while it waits
// for the parent's, inserts of that type queue behind it.
const LOCK_TIMEOUT_MS = 5000;

/** Makes the day partitions of [today, today + days) that do not exist yet; their names. */
export async function makeContentPartitionsAhead(db: Db, now = Date.now(), days = AHEAD_DAYS): Promise<string[]> {
  if (!partitionsByTime(db)) return [];
  const made: string[] = [];
  for (const parent of Object.values(DAY_PARTITIONED).flatMap((p) => [p.content, p.index])) {
    for (let d = 0; d < days; d++) {
      const from = startOfDay(now) + d * DAY_MS;
      const name = dayPartitionName(parent, from);
      if (await addRangePartition(db, parent, 'ts', name, from, from + DAY_MS)) made.push(name);
    }
  }
  return made;
}

export interface PartitionDropRun {
  runId: string;
  workspaceId: string; // the run's workspace: its actor signs the removals there
  actor: Actor;
  eventType: ComplianceEventType;
  retentionDays: number;
  cutoff: number;
  batch: number; // seqs per removal record, as the row path's batches
}

export interface PartitionDrops {
  dropped: string[];
  removed: number; // the run's workspace's records among them
  left: { partition: string; reason: 'held' | 'busy' | 'lock_timeout' }[];
}

type One = { state: 'dropped'; removed: number } | { state: 'held' | 'busy' | 'gone' };

/** Drops every partition of the type wholly before the cutoff that no active hold reaches. */
export async function dropExpiredPartitions(db: Db, run: PartitionDropRun): Promise<PartitionDrops> {
  const out: PartitionDrops = { dropped: [], removed: 0, left: [] };
  const parent = DAY_PARTITIONED[run.eventType];
  if (!parent || !partitionsByTime(db)) return out;
  const expired = (await partitionsOf(db, parent.content)).ranges.filter((p) => p.to !== null && p.to <= run.cutoff);
  for (const p of expired) {
    let r: One;
    try {
      r = await dropOne(db, parent, p.name, run);
    } catch (err) {
      // A lock not had in time or a deadlock rolled the whole drop back: row deletes take it.
      const code = (err as { code?: string }).code;
      if (code !== '55P03' && code !== '40P01') throw err;
      out.left.push({ partition: p.name, reason: 'lock_timeout' });
      continue;
    }
    if (r.state === 'dropped') {
      out.dropped.push(p.name);
      out.removed += r.removed;
    } else if (r.state !== 'gone') out.left.push({ partition: p.name, reason: r.state });
  }
  return out;
}

async function dropOne(db: Db, parent: DayParents, name: string, run: PartitionDropRun): Promise<One> {
  return db.transaction().execute(async (trx): Promise<One> => {
    // Another node's run (another workspace's) may be dropping the same day.
    const lock = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(
      hashtextextended(${`partition-drop:${name}`}, 0)) as got`.execute(trx);
    if (!lock.rows[0]?.got) return { state: 'busy' };
    const content = (await partitionsOf(trx, parent.content)).ranges.find((p) => p.name === name);
    if (!content) return { state: 'gone' };
    await freezePartition(trx, name, LOCK_TIMEOUT_MS);
    const seqs = await seqsInPartition(trx, name);
    const holds = await activeHoldsByWorkspace(trx);
    for (const ws of seqs.keys()) if (await partitionHeld(trx, name, ws, holds.get(ws) ?? [])) return { state: 'held' };
    // Chain heads are locked (in workspace order) before the parent is: ingest locks a head before
    // its content reaches the parent, so the two never wait for each other in a cycle.
    for (const ws of [...seqs.keys()].sort()) {
      const all = seqs.get(ws)!;
      const chunks: number[][] = [];
      for (let i = 0; i < all.length; i += run.batch) chunks.push(all.slice(i, i + run.batch));
      const drafts = chunks.map((chunk) =>
        removalDraft({
          ts: Date.now(),
          actor: ws === run.workspaceId ? run.actor : SYSTEM,
          workspaceId: ws,
          runId: run.runId,
          eventType: run.eventType,
          retentionDays: run.retentionDays,
          cutoff: run.cutoff,
          seqs: chunk,
        }),
      );
      const recs = await appendRecords(trx, ws, drafts);
      for (const rec of recs) await insertRemoval(trx, { workspace_id: ws, seq: rec.seq, event_type: run.eventType });
    }
    // The index's twin holds exactly the copies of this partition's rows (same type and bounds);
    // without one (a day the job has not made in the index), they are in its default: deleted.
    const twin = (await partitionsOf(trx, parent.index)).ranges.find(
      (p) =>
        p.name === parent.index + name.slice(parent.content.length) && p.from === content.from && p.to === content.to,
    );
    if (!twin) await removePartitionFromIndex(trx, name);
    // The content's parent before the index's: the indexer's statement locks them in that order.
    await detachAndDrop(trx, parent.content, name, LOCK_TIMEOUT_MS);
    if (twin) await detachAndDrop(trx, parent.index, twin.name, LOCK_TIMEOUT_MS);
    return { state: 'dropped', removed: seqs.get(run.workspaceId)?.length ?? 0 };
  });
}

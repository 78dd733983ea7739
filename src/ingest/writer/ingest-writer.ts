// Group commit for ingest. Batches that arrive while a transaction is running wait and are written
// together in the next one: one commit and one set of multi-row statements for several requests
// (the storage notes' "short time window"). Every caller still gets its answer only after its
// facts, rollups and compliance records are committed, so nothing is acknowledged early.
import type { EnrichedEvent } from '../../core/events.js';
import type { IngestRequestMeta } from '../../core/compliance-records.js';
import type { ContentPolicy } from '../../core/content-policy.js';
import type { Db } from '../../platform/storage/database.js';
import type { RecordDraft } from '../../core/compliance.js';
import type { SessionItem } from '../../core/session-items.js';
import { UnitOfWork } from '../../platform/storage/unit-of-work.js';
import { ChainHeads, ingestDrafts, sessionItemDrafts, stageRecords } from '../../compliance/index.js';
import { countsOf, type IngestCounts } from '../../core/ingest-counts.js';
import { storeEvents } from '../ingest.repository.js';
import type { Redacted } from '../pipeline/steps.js';

export interface WriteJob {
  workspaceId: string;
  events: Redacted[]; // through the whole pipeline (pipeline/steps.ts)
  policy?: ContentPolicy;
  meta: IngestRequestMeta;
  // Session-file content, archived after the batch's fact records (absent: none).
  items?: SessionItem[];
}

// What a batch stored, plus the session-file items it archived for the first time.
export interface Counts extends IngestCounts {
  items: number;
}
type Sink = (group: WriteJob[]) => Promise<Counts[]>;
export type GroupWatcher = (g: { batches: number; events: number; seconds: number }) => void;
interface Pending extends WriteJob {
  resolve: (c: Counts) => void;
  reject: (e: unknown) => void;
}

// Bounds one group so a transaction stays short under a burst (a session item weighs as an event).
const MAX_EVENTS_PER_GROUP = 20_000;
const sizeOf = (j: WriteJob) => j.events.length + (j.items?.length ?? 0);

/**
 * The group writer of one store: one per runtime (app/runtime.ts), shared by every receiver, so
 * that concurrent requests are grouped. Writes on this thread until a writer thread takes over.
 */
export class IngestWriter {
  private queue: Pending[] = [];
  private writing = false;
  private scheduled = false;
  private offThread = false;
  private sink: Sink;
  private groupWatcher: GroupWatcher | undefined;
  // On this thread: this connection's chain heads.
  readonly local: Sink;

  constructor(db: Db) {
    const heads = new ChainHeads();
    this.local = (group) => writeGroup(db, group, heads);
    this.sink = this.local;
  }

  // Where groups are written from now on: the ingest writer thread (offThread), or this thread again.
  use(sink: Sink, offThread = false): void {
    this.sink = sink;
    this.offThread = offThread;
  }

  /** Told each group's size and how long it took to write (the /metrics histograms). */
  watchGroups(watcher: GroupWatcher): void {
    this.groupWatcher = watcher;
  }

  /** Batches waiting for the group being written (not counting it). */
  get queued(): number {
    return this.queue.length;
  }

  submit(job: WriteJob): Promise<Counts> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      // On this thread, start on the next turn of the event loop, not now: better-sqlite3 never
      // yields during a transaction, so batches whose bodies are already in socket buffers only get
      // here (and into the same group) if their I/O callbacks run first. With a writer thread, an
      // idle writer starts at once (this thread decodes the next batch meanwhile; waiting for it
      // left the writer idle for a whole decode); a busy one groups what queues up behind it.
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        const start = () => {
          this.scheduled = false;
          void this.drain();
        };
        if (this.offThread) queueMicrotask(start);
        else setImmediate(start);
      }
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const group: Pending[] = [];
        let n = 0;
        while (this.queue.length && (group.length === 0 || n + sizeOf(this.queue[0]) <= MAX_EVENTS_PER_GROUP)) {
          const j = this.queue.shift()!;
          group.push(j);
          n += sizeOf(j);
        }
        try {
          const t0 = performance.now();
          const counts = await this.write(group);
          this.groupWatcher?.({ batches: group.length, events: n, seconds: (performance.now() - t0) / 1000 });
          group.forEach((j, i) => j.resolve(counts[i]));
        } catch (e) {
          if (group.length === 1) group[0].reject(e);
          // One bad batch must not fail the others: write each alone.
          else for (const j of group) await this.write([j]).then((c) => j.resolve(c[0]), j.reject);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private write(group: Pending[]): Promise<Counts[]> {
    return this.sink(
      group.map(({ workspaceId, events, policy, meta, items }) => ({ workspaceId, events, policy, meta, items })),
    );
  }
}

// One group in one transaction: facts and rollups, then each batch's compliance records. The
// records of a workspace's batches are appended together, in batch order (the chain is the same as
// batch after batch). Both add their rows to one unit of work, flushed once: on PostgreSQL the
// rollup counters, the head's compare-and-set and the records are one statement (decisions/0010).
export function writeGroup(db: Db, group: readonly WriteJob[], heads?: ChainHeads): Promise<Counts[]> {
  return db.transaction().execute(async (trx) => {
    const uow = new UnitOfWork();
    const { fresh, completes, firstSources } = await storeEvents(
      trx,
      group.flatMap((j) => j.events),
      uow,
    );
    // Attribute each fresh fact to the batch that brought it (first one with that key).
    const owner = new Map<string, number>();
    group.forEach((j, i) =>
      j.events.forEach(
        (e) =>
          owner.has(`${e.workspaceId}\u0000${e.event.key}`) || owner.set(`${e.workspaceId}\u0000${e.event.key}`, i),
      ),
    );
    const freshOf: EnrichedEvent[][] = group.map(() => []);
    for (const f of fresh) freshOf[owner.get(`${f.workspaceId}\u0000${f.event.key}`) ?? 0].push(f);
    const drafts = new Map<string, RecordDraft[]>();
    const items = group.map(() => 0);
    for (let i = 0; i < group.length; i++) {
      const j = group[i];
      if (!j.policy) continue;
      const d = await ingestDrafts(trx, j.workspaceId, freshOf[i], j.events, j.policy, j.meta, completes, firstSources);
      if (j.items?.length) {
        const fresh = await sessionItemDrafts(trx, j.workspaceId, j.items);
        items[i] = fresh.length;
        for (const x of fresh) d.push(x);
      }
      const list = drafts.get(j.workspaceId);
      if (list) for (const x of d) list.push(x);
      else drafts.set(j.workspaceId, d);
    }
    for (const [ws, d] of drafts) await stageRecords(trx, ws, d, uow, heads);
    await uow.flush(trx);
    return group.map((j, i) => ({ ...countsOf(j.events, freshOf[i]), items: items[i] }));
  });
}

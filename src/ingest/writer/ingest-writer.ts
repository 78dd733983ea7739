// Group commit for ingest. Batches that arrive while a transaction is running wait and are written
// together in the next one: one commit and one set of multi-row statements for several requests
// (the storage notes' "short time window"). Every caller still gets its answer only after its
// facts, rollups and compliance records are committed, so nothing is acknowledged early.
import type { EnrichedEvent } from '../../core/events.js';
import type { IngestRequestMeta } from '../../core/compliance-records.js';
import type { ContentPolicy } from '../../core/content-policy.js';
import type { Db } from '../../platform/storage/database.js';
import type { RecordDraft } from '../../core/compliance.js';
import { insertMany } from '../../platform/storage/bulk-insert.js';
import { appendRecords } from '../../compliance/index.js';
import { storeEventsDeferred, type StoreResult } from '../ingest.repository.js';
import { ingestDrafts } from '../../compliance/index.js';

export interface WriteJob {
  workspaceId: string;
  events: EnrichedEvent[];
  policy?: ContentPolicy;
  meta: IngestRequestMeta;
}

export type Counts = Omit<StoreResult, 'fresh'>;
type Sink = (group: WriteJob[]) => Promise<Counts[]>;
interface Pending extends WriteJob {
  resolve: (c: Counts) => void;
  reject: (e: unknown) => void;
}

// Bounds one group so a transaction stays short under a burst.
const MAX_EVENTS_PER_GROUP = 20_000;

class GroupWriter {
  private queue: Pending[] = [];
  private writing = false;
  private scheduled = false;
  private offThread = false;

  constructor(private sink: Sink) {}

  // Where groups are written from now on: the ingest writer thread (offThread), or this thread again.
  use(sink: Sink, offThread = false): void {
    this.sink = sink;
    this.offThread = offThread;
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
        while (this.queue.length && (group.length === 0 || n + this.queue[0].events.length <= MAX_EVENTS_PER_GROUP)) {
          const j = this.queue.shift()!;
          group.push(j);
          n += j.events.length;
        }
        try {
          const counts = await this.write(group);
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
    return this.sink(group.map(({ workspaceId, events, policy, meta }) => ({ workspaceId, events, policy, meta })));
  }
}

// One group in one transaction: facts and rollups, then each batch's compliance records. The
// records of a workspace's batches are appended together, in batch order (the chain is the same as
// batch after batch), and travel with the rollup counters: on PostgreSQL one statement.
export function writeGroup(db: Db, group: readonly WriteJob[]): Promise<Counts[]> {
  return db.transaction().execute(async (trx) => {
    const { result, pending } = await storeEventsDeferred(trx, group.flatMap((j) => j.events));
    // Attribute each fresh fact to the batch that brought it (first one with that key).
    const owner = new Map<string, number>();
    group.forEach((j, i) => j.events.forEach((e) => owner.has(`${e.workspaceId}\u0000${e.event.key}`) || owner.set(`${e.workspaceId}\u0000${e.event.key}`, i)));
    const freshOf: EnrichedEvent[][] = group.map(() => []);
    for (const f of result.fresh ?? []) freshOf[owner.get(`${f.workspaceId}\u0000${f.event.key}`) ?? 0].push(f);
    const drafts = new Map<string, RecordDraft[]>();
    for (let i = 0; i < group.length; i++) {
      const j = group[i];
      if (!j.policy) continue;
      const d = await ingestDrafts(trx, j.workspaceId, freshOf[i], j.events, j.policy, j.meta);
      const list = drafts.get(j.workspaceId);
      if (list) for (const x of d) list.push(x);
      else drafts.set(j.workspaceId, d);
    }
    let alongside = pending;
    for (const [ws, d] of drafts) {
      await appendRecords(trx, ws, d, alongside);
      alongside = [];
    }
    await insertMany(trx, alongside);
    return group.map((j, i) => countsOf(j.events, freshOf[i]));
  });
}

function countsOf(events: EnrichedEvent[], fresh: EnrichedEvent[]): Counts {
  const c = { threads: 0, turns: 0, requests: 0, tools: 0, duplicates: 0 };
  for (const f of fresh) {
    if (f.event.kind === 'thread_started') c.threads++;
    else if (f.event.kind === 'turn') c.turns++;
    else if (f.event.kind === 'response') c.requests++;
    else c.tools++;
  }
  const countable = events.filter((e) => e.event.kind === 'turn' || e.event.kind === 'response').length;
  c.duplicates = Math.max(0, countable - c.turns - c.requests);
  return c;
}

const writers = new WeakMap<Db, GroupWriter>();
export function writerFor(db: Db): GroupWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new GroupWriter((group) => writeGroup(db, group))));
  return w;
}

// The compliance chain: append and list, nothing else (retention/ removes content, never chain rows).
import { sql } from 'kysely';
import {
  canonicalJson,
  GENESIS_HASH,
  recordHash,
  sha256hex,
  type ChainRecord,
  type RecordDraft,
} from '../../core/compliance.js';
import { newId } from '../../core/ids.js';
import { insertMany, type InsertPart, type InsertSpec } from '../../platform/storage/bulk-insert.js';
import { UnitOfWork } from '../../platform/storage/unit-of-work.js';
import { partitionsByTime } from '../../platform/storage/dialect.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceHeadTable } from '../compliance.tables.js';

// Hot path (every ingest group): statements built by hand, see bulk-insert.ts.
const RECORDS: InsertSpec = {
  table: 'compliance_records',
  columns: [
    'workspace_id',
    'seq',
    'id',
    'event_type',
    'ts',
    'recorded_at',
    'user_id',
    'thread_id',
    'content_sha256',
    'prev_hash',
    'hash',
  ],
};
const CONTENT: InsertSpec = { table: 'compliance_content', columns: ['workspace_id', 'seq', 'content'] };
const KEYED_CONTENT: InsertSpec = { ...CONTENT, columns: ['workspace_id', 'seq', 'event_type', 'ts', 'content'] };
// One row per event type and minute (distinct within an append, so one statement never updates a row twice).
const LOG_INDEX: InsertSpec = {
  table: 'compliance_log_index',
  columns: ['workspace_id', 'event_type', 'minute', 'records', 'first_seq', 'last_seq', 'last_recorded_at', 'max_ts'],
  onConflict:
    'on conflict ("workspace_id", "event_type", "minute") do update set ' +
    '"records" = "compliance_log_index"."records" + "excluded"."records", ' +
    '"last_seq" = "excluded"."last_seq", "last_recorded_at" = "excluded"."last_recorded_at", ' +
    '"max_ts" = case when "compliance_log_index"."max_ts" > "excluded"."max_ts" ' +
    'then "compliance_log_index"."max_ts" else "excluded"."max_ts" end',
};
const MINUTE = 60_000;

export interface AppendedRecord {
  seq: number;
  id: string;
  hash: string;
  recordedAt: number;
}

// Locks the workspace's chain head for the rest of the transaction: an UPDATE takes the row lock
// on PostgreSQL (concurrent appenders wait here, in commit order) and SQLite's write lock.
async function lockHead(db: DbOrTrx, workspaceId: string): Promise<ComplianceHeadTable> {
  const lock = () =>
    db
      .updateTable('compliance_heads')
      .set({ seq: sql`seq` })
      .where('workspace_id', '=', workspaceId)
      .returning(['workspace_id', 'seq', 'hash', 'recorded_at', 'max_ts'])
      .executeTakeFirst();
  let head = await lock();
  if (!head) {
    await db
      .insertInto('compliance_heads')
      .values({ workspace_id: workspaceId, seq: 0, hash: GENESIS_HASH, recorded_at: 0, max_ts: 0 })
      .onConflict((oc) => oc.column('workspace_id').doNothing())
      .execute();
    head = await lock();
  }
  return { ...head!, seq: Number(head!.seq), recorded_at: Number(head!.recorded_at), max_ts: Number(head!.max_ts) };
}

interface Built {
  chain: ChainRecord[];
  contents: { workspace_id: string; seq: number; event_type: string; ts: number; content: string }[];
  index: Map<
    string,
    { event_type: string; minute: number; records: number; first_seq: number; last_seq: number; max_ts: number }
  >;
  head: ComplianceHeadTable;
}

// The records linked after `head`, and the head they make.
function build(
  workspaceId: string,
  head: ComplianceHeadTable,
  drafts: readonly RecordDraft[],
  contents: readonly string[],
): Built {
  // Strictly later than every committed record: a log file [from, to) with to <= head.recorded_at + 1
  // can then never gain a record (see compliance/reads/logs.service.ts).
  const recordedAt = Math.max(Date.now(), head.recorded_at + 1);
  let seq = head.seq;
  let prev = head.hash;
  let maxTs = head.max_ts;
  const out: Built = { chain: [], contents: [], index: new Map(), head };
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i];
    seq++;
    const content = contents[i];
    const rec: ChainRecord = {
      workspace_id: workspaceId,
      seq,
      id: newId(),
      event_type: d.eventType,
      ts: d.ts,
      recorded_at: recordedAt,
      user_id: d.userId,
      thread_id: d.threadId,
      content,
      content_sha256: sha256hex(content),
      prev_hash: prev,
      hash: '',
    };
    rec.hash = recordHash(prev, rec);
    prev = rec.hash;
    maxTs = Math.max(maxTs, d.ts);
    out.chain.push(rec);
    out.contents.push({ workspace_id: workspaceId, seq, event_type: d.eventType, ts: d.ts, content });
    const ix = out.index.get(d.eventType);
    if (ix) {
      ix.records++;
      ix.last_seq = seq;
      ix.max_ts = Math.max(ix.max_ts, d.ts);
    } else
      out.index.set(d.eventType, {
        event_type: d.eventType,
        minute: Math.floor(recordedAt / MINUTE),
        records: 1,
        first_seq: seq,
        last_seq: seq,
        max_ts: d.ts,
      });
  }
  out.head = { workspace_id: workspaceId, seq, hash: prev, recorded_at: recordedAt, max_ts: maxTs };
  return out;
}

// The rows an append writes besides the head: records, their content, the log index.
function recordParts(db: DbOrTrx, workspaceId: string, built: Built): InsertPart[] {
  const recordedAt = built.head.recorded_at;
  return [
    { spec: RECORDS, rows: built.chain as unknown as Record<string, unknown>[] },
    { spec: partitionsByTime(db) ? KEYED_CONTENT : CONTENT, rows: built.contents }, // PostgreSQL: + partition key
    {
      spec: LOG_INDEX,
      rows: [...built.index.values()].map((ix) => ({ workspace_id: workspaceId, ...ix, last_recorded_at: recordedAt })),
    },
  ];
}

/**
 * The head a writer last wrote, per workspace: its next append tries it with one compare-and-set
 * UPDATE (which also takes the lock) instead of lock-then-update. Any mismatch (another node or
 * connection appended, a rolled-back transaction) falls back to locking and reading the head. One
 * per writer connection, made by whoever owns that connection (app/runtime.ts).
 */
export class ChainHeads {
  private heads = new Map<string, ComplianceHeadTable>();
  get(workspaceId: string): ComplianceHeadTable | undefined {
    return this.heads.get(workspaceId);
  }
  set(head: ComplianceHeadTable): void {
    this.heads.set(head.workspace_id, head);
  }
}

/** An append whose rows wait in a unit of work; records() once that is flushed. */
export interface StagedAppend {
  records(): AppendedRecord[];
}

// Appends records to the workspace's chain inside the caller's transaction (pass a transaction:
// the head stays locked until it commits, which is what keeps the chain linear).
export async function appendRecords(
  db: DbOrTrx,
  workspaceId: string,
  drafts: readonly RecordDraft[],
  heads?: ChainHeads,
): Promise<AppendedRecord[]> {
  const uow = new UnitOfWork();
  const staged = await stageRecords(db, workspaceId, drafts, uow, heads);
  await uow.flush(db);
  return staged.records();
}

/**
 * appendRecords, with the rows added to `uow` (the caller flushes it in the same transaction, with
 * whatever else it holds: on PostgreSQL the head's compare-and-set, the records and the other
 * inserts are one statement). Without a known head, the head is locked now.
 */
export async function stageRecords(
  db: DbOrTrx,
  workspaceId: string,
  drafts: readonly RecordDraft[],
  uow: UnitOfWork,
  heads?: ChainHeads,
): Promise<StagedAppend> {
  let built: Built | undefined;
  const staged = {
    records: (): AppendedRecord[] => {
      if (!built) throw new Error('records() before the unit of work was flushed');
      const recordedAt = built.head.recorded_at;
      return built.chain.map((r) => ({ seq: r.seq, id: r.id, hash: r.hash, recordedAt }));
    },
  };
  if (drafts.length === 0) {
    built = {
      chain: [],
      contents: [],
      index: new Map(),
      head: { workspace_id: workspaceId, seq: 0, hash: '', recorded_at: 0, max_ts: 0 },
    };
    return staged;
  }
  if (!db.isTransaction)
    throw new Error('appendRecords must run inside a transaction (the chain head stays locked until commit)');
  const contents = drafts.map((d) => canonicalJson(d.content));
  const linked = (b: Built) => () => {
    built = b;
    heads?.set(b.head);
  };
  // Links the records after the locked head and writes that head (the records go with the unit).
  const afterLock = async (trx: DbOrTrx) => {
    const b = build(workspaceId, await lockHead(trx, workspaceId), drafts, contents);
    await trx
      .updateTable('compliance_heads')
      .set({ seq: b.head.seq, hash: b.head.hash, recorded_at: b.head.recorded_at, max_ts: b.head.max_ts })
      .where('workspace_id', '=', workspaceId)
      .execute();
    return b;
  };
  const cached = heads?.get(workspaceId);
  if (!cached) {
    const b = await afterLock(db);
    uow.add(...recordParts(db, workspaceId, b));
    linked(b)();
    return staged;
  }
  // Compare-and-set of the head with the records behind it: they go in only if the head was still
  // the one they were linked to; otherwise they are linked again after the locked head.
  const b = build(workspaceId, cached, drafts, contents);
  let done = linked(b);
  const set = { seq: b.head.seq, hash: b.head.hash, recorded_at: b.head.recorded_at, max_ts: b.head.max_ts };
  uow.addGuarded(
    { table: 'compliance_heads', set, where: { workspace_id: workspaceId, seq: cached.seq, hash: cached.hash } },
    recordParts(db, workspaceId, b),
    async (trx) => {
      const again = await afterLock(trx);
      await insertMany(trx, recordParts(trx, workspaceId, again));
      done = linked(again);
    },
    () => done(),
  );
  return staged;
}

export async function getHead(db: DbOrTrx, workspaceId: string): Promise<ComplianceHeadTable | undefined> {
  const h = await db
    .selectFrom('compliance_heads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return h && { ...h, seq: Number(h.seq), recorded_at: Number(h.recorded_at), max_ts: Number(h.max_ts) };
}

export async function listChainWorkspaces(db: DbOrTrx): Promise<string[]> {
  return (await db.selectFrom('compliance_heads').select('workspace_id').orderBy('workspace_id').execute()).map(
    (r) => r.workspace_id,
  );
}

export const RECORD_HEAD_COLUMNS = [
  'r.workspace_id',
  'r.seq',
  'r.id',
  'r.event_type',
  'r.ts',
  'r.recorded_at',
  'r.user_id',
  'r.thread_id',
  'r.content_sha256',
  'r.prev_hash',
  'r.hash',
] as const; // without content: search-pruned reads a page first, its content after

export const recordsFrom = (db: DbOrTrx) => db.selectFrom('compliance_records as r');
/** Records with their content; `from` narrows which (a filtered recordsFrom). */
export function selectRecords(db: DbOrTrx, from = recordsFrom(db)) {
  return from
    .leftJoin('compliance_content as c', (j) =>
      j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.seq', '=', 'r.seq'),
    )
    .select([...RECORD_HEAD_COLUMNS, 'c.content']);
}

// Numbers come back as strings from some drivers' bigint columns unless parsed; normalize here.
export function toRecord(r: Record<string, unknown>): ChainRecord {
  return {
    workspace_id: r.workspace_id as string,
    seq: Number(r.seq),
    id: r.id as string,
    event_type: r.event_type as string,
    ts: Number(r.ts),
    recorded_at: Number(r.recorded_at),
    user_id: (r.user_id as string | null) ?? null,
    thread_id: (r.thread_id as string | null) ?? null,
    content: (r.content as string | null) ?? null,
    content_sha256: r.content_sha256 as string,
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

const CHAIN_COLUMNS = [
  'seq',
  'id',
  'event_type',
  'ts',
  'recorded_at',
  'user_id',
  'thread_id',
  'content_sha256',
  'prev_hash',
  'hash',
] as const;

// Records with seq in (afterSeq, untilSeq] that pass `keep`, in seq order (verify, sinks, export,
// log files). Callers page by seq windows and filter here rather than in SQL, so that every query
// is one primary-key range whatever the planner believes: PostgreSQL with stale statistics turned
// "seq > x order by seq limit n" into a bitmap scan of the whole rest of the chain, and a type or
// time filter into a scan of every record of that type, per page. Chain rows and content are read
// as two ordered scans and zipped (on SQLite ~1.5x faster than a join, which looks content up per row).
export async function listRecords(
  db: DbOrTrx,
  workspaceId: string,
  afterSeq: number,
  untilSeq: number,
  keep?: (r: ChainRecord) => boolean,
): Promise<ChainRecord[]> {
  if (untilSeq <= afterSeq) return [];
  const rows = (await chainSelect(db, workspaceId)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', untilSeq)
    .orderBy('seq')
    .execute()) as unknown as ChainRecord[];
  return withContent(db, workspaceId, keep ? rows.filter(keep) : rows);
}

// Chain rows of a workspace. workspace_id and content are selected as null placeholders so the
// driver's row objects already have every field of a ChainRecord: filling them in changes no shapes.
function chainSelect(db: DbOrTrx, workspaceId: string) {
  return db
    .selectFrom('compliance_records')
    .select([...CHAIN_COLUMNS, sql<string>`null`.as('workspace_id'), sql<string | null>`null`.as('content')])
    .where('workspace_id', '=', workspaceId);
}

// Fills in content (null where retention removed it) with one more ordered read: the whole seq
// range when the rows are (nearly) contiguous, else exactly their seqs.
async function withContent(db: DbOrTrx, workspaceId: string, rows: ChainRecord[]): Promise<ChainRecord[]> {
  if (!rows.length) return rows;
  const first = rows[0].seq;
  const last = rows[rows.length - 1].seq;
  const dense = last - first + 1 <= rows.length * 2;
  let cq = db.selectFrom('compliance_content').select(['seq', 'content']).where('workspace_id', '=', workspaceId);
  cq = dense
    ? cq.where('seq', '>=', first).where('seq', '<=', last)
    : cq.where(
        'seq',
        'in',
        rows.map((r) => r.seq),
      );
  const contents = await cq.orderBy('seq').execute();
  // Numbers arrive as numbers from both drivers (PostgreSQL's int8 parser is set in database.ts).
  let k = 0;
  for (const r of rows) {
    r.workspace_id = workspaceId;
    while (k < contents.length && contents[k].seq < r.seq) k++;
    if (k < contents.length && contents[k].seq === r.seq) r.content = contents[k].content;
  }
  return rows;
}

export async function findRecordsBySeq(db: DbOrTrx, workspaceId: string, seqs: number[]): Promise<ChainRecord[]> {
  if (!seqs.length) return [];
  const rows = await selectRecords(db)
    .where('r.workspace_id', '=', workspaceId)
    .where('r.seq', 'in', seqs)
    .orderBy('r.seq')
    .execute();
  return rows.map((r) => toRecord(r));
}

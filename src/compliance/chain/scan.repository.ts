// Long reads of a workspace's chain in seq order (verify, export, log-file download): batches of
// records with their content, constant memory whatever the length.
//
// PostgreSQL: per window of seqs, the chain rows and then their content, each one primary-key range
// as a binary COPY parsed in place (platform/storage/pg-copy.ts); content stays UTF-8 bytes, which is what
// is hashed and what goes out in JSONL. Two range scans zipped here, not a join: the server spends
// half the time on them (measured: the join planned as a nested loop or a merge join cost ~1.8x
// the two scans together), and, with bitmap scans off for the connection, neither plan depends on
// statistics. SQLite: the same two range
// scans per page, rows read as arrays (platform/storage/sqlite-rows.ts). Inside a transaction: listRecords.
import type { ChainRecord, StreamedRecord } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { BinaryCopyParser, copyConnection, type CopyConnection } from '../../platform/storage/pg-copy.js';
import { arrayReader, type ArrayReader } from '../../platform/storage/sqlite-rows.js';
import { listRecords } from './chain.repository.js';

// Content is UTF-8 bytes on PostgreSQL, a string on SQLite.
export type ScannedRecord = StreamedRecord;

export interface ScanOptions {
  keep?: (r: ScannedRecord) => boolean; // a filter on the chain row (content not yet read)
  window?: number; // seqs per pair of reads (a pair of COPY statements on PostgreSQL)
}

const SQLITE_PAGE = 1000; // seqs per read: small pages stay in the young generation (measured fastest)
const PG_WINDOW = 2000; // rows held while their content streams: small enough to die young (decisions/0008)

// Records with seq in (afterSeq, untilSeq] that pass `keep`, in seq order, a batch at a time.
export async function* scanRecords(
  db: DbOrTrx,
  workspaceId: string,
  afterSeq: number,
  untilSeq: number,
  opts: ScanOptions = {},
): AsyncGenerator<ScannedRecord[]> {
  if (untilSeq <= afterSeq) return;
  const lite = arrayReader(db);
  if (lite) {
    const page = opts.window ?? SQLITE_PAGE;
    for (let after = afterSeq; after < untilSeq; after += page) {
      const rows = await sqlitePage(lite, workspaceId, after, Math.min(after + page, untilSeq), opts.keep);
      if (rows.length) yield rows;
    }
    return;
  }
  // Each window is a primary-key range read in key order. Without statistics (a table never
  // analyzed: autovacuum off, or a chain just loaded) the planner guesses 50 rows and picks a
  // bitmap scan plus a sort, which took twice as long per window (measured: 4.5 ms vs 2 ms for
  // 2,000 rows of content); with bitmap scans off it walks the index in order whatever it believes.
  const conn = await copyConnection(db, { enable_bitmapscan: 'off' });
  if (!conn) {
    for (let after = afterSeq; after < untilSeq; after += SQLITE_PAGE) {
      const rows = await listRecords(
        db,
        workspaceId,
        after,
        Math.min(after + SQLITE_PAGE, untilSeq),
        opts.keep as ((r: ChainRecord) => boolean) | undefined,
      );
      if (rows.length) yield rows;
    }
    return;
  }
  let clean = false;
  try {
    const ws = conn.literal(workspaceId);
    const window = opts.window ?? PG_WINDOW;
    for (let after = afterSeq; after < untilSeq; after += window) {
      yield* scanWindow(conn, workspaceId, ws, after, Math.min(after + window, untilSeq), opts.keep);
    }
    clean = true;
  } finally {
    // Left early (the consumer stopped, an error): a COPY may be half read on this connection.
    await conn.release(!clean);
  }
}

const CHAIN_COLUMNS = 'seq, id, event_type, ts, recorded_at, user_id, thread_id, content_sha256, prev_hash, hash';
const SQLITE_CHAIN =
  `select ${CHAIN_COLUMNS} from compliance_records ` + 'where workspace_id = ? and seq > ? and seq <= ? order by seq';
const SQLITE_CONTENT_RANGE =
  'select seq, content from compliance_content where workspace_id = ? and seq >= ? and seq <= ? order by seq';
const SQLITE_CONTENT_SEQS =
  'select seq, content from compliance_content ' +
  'where workspace_id = ? and seq in (select value from json_each(?)) order by seq';

async function sqlitePage(
  lite: ArrayReader,
  workspaceId: string,
  after: number,
  until: number,
  keep: ScanOptions['keep'],
): Promise<ScannedRecord[]> {
  const rows: ScannedRecord[] = [];
  for (const x of await lite.all(SQLITE_CHAIN, [workspaceId, after, until])) {
    const r: ScannedRecord = {
      workspace_id: workspaceId,
      seq: x[0] as number,
      id: x[1] as string,
      event_type: x[2] as string,
      ts: x[3] as number,
      recorded_at: x[4] as number,
      user_id: x[5] as string | null,
      thread_id: x[6] as string | null,
      content: null,
      content_sha256: x[7] as string,
      prev_hash: x[8] as string,
      hash: x[9] as string,
    };
    if (!keep || keep(r)) rows.push(r);
  }
  if (!rows.length) return rows;
  // Content (null where retention removed it), zipped by seq: the whole seq range when the rows
  // are (nearly) contiguous, else exactly their seqs.
  const first = rows[0].seq;
  const last = rows[rows.length - 1].seq;
  const contents =
    last - first + 1 <= rows.length * 2
      ? await lite.all(SQLITE_CONTENT_RANGE, [workspaceId, first, last])
      : await lite.all(SQLITE_CONTENT_SEQS, [workspaceId, JSON.stringify(rows.map((r) => r.seq))]);
  let k = 0;
  for (const c of contents) {
    while (k < rows.length && rows[k].seq < (c[0] as number)) k++;
    if (k < rows.length && rows[k].seq === c[0]) rows[k++].content = c[1] as string;
  }
  return rows;
}

const seqRange = (after: number, until: number) => `seq > ${Math.floor(after)} and seq <= ${Math.floor(until)}`;

async function* scanWindow(
  conn: CopyConnection,
  workspaceId: string,
  ws: string,
  after: number,
  until: number,
  keep: ScanOptions['keep'],
): AsyncGenerator<ScannedRecord[]> {
  // Chain rows of the window (a few hundred KB), parsed as they arrive.
  const rows: ScannedRecord[] = [];
  const chain = new BinaryCopyParser();
  const onRow = (p: BinaryCopyParser) => {
    const r: ScannedRecord = {
      workspace_id: workspaceId,
      seq: p.int(0),
      id: p.text(1),
      event_type: p.text(2),
      ts: p.int(3),
      recorded_at: p.int(4),
      user_id: p.textOrNull(5),
      thread_id: p.textOrNull(6),
      content: null,
      content_sha256: p.text(7),
      prev_hash: p.text(8),
      hash: p.text(9),
    };
    if (!keep || keep(r)) rows.push(r);
  };
  const q =
    `select ${CHAIN_COLUMNS} from compliance_records ` +
    `where workspace_id = ${ws} and ${seqRange(after, until)} order by seq`;
  for await (const chunk of conn.copyOut(q)) chain.push(chunk as Buffer, onRow);
  if (!rows.length) return;

  // Their content, zipped by seq as it streams (null where retention removed it). The whole seq
  // range when the rows are (nearly) contiguous, else exactly their seqs.
  const first = rows[0].seq;
  const last = rows[rows.length - 1].seq;
  const where =
    last - first + 1 <= rows.length * 2 ? seqRange(first - 1, last) : `seq in (${rows.map((r) => r.seq).join(',')})`;
  const content = new BinaryCopyParser();
  let k = 0; // next row to receive content
  let done = 0; // rows handed out
  const onContent = (p: BinaryCopyParser) => {
    const seq = p.int(0);
    while (k < rows.length && rows[k].seq < seq) k++;
    if (k < rows.length && rows[k].seq === seq) rows[k++].content = p.bytes(1);
  };
  for await (const chunk of conn.copyOut(
    `select seq, content from compliance_content where workspace_id = ${ws} and ${where} order by seq`,
  )) {
    content.push(chunk as Buffer, onContent);
    if (k > done) {
      yield rows.slice(done, k);
      done = k;
    }
  }
  if (done < rows.length) yield rows.slice(done);
}

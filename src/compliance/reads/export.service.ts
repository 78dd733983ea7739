// Export: records of a workspace in seq order as JSONL, filtered by event time and type, read in
// keyset pages so memory stays flat whatever the size. Every export is an AUDIT_LOG entry.
import type { ComplianceEventType, StreamedRecord } from '../../core/compliance.js';
import { RecordLineWriter } from '../../core/compliance-record-line.js';
import type { Db, DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { scanRecords } from '../chain/scan.repository.js';
import { audit, type Actor } from '../audit.service.js';

export interface ExportFilter {
  since?: number; // event time, inclusive
  until?: number; // exclusive
  types?: ComplianceEventType[];
}

// Yields chunks of JSONL (UTF-8, about `chunkBytes` each); `counter.records` tells how many records
// went out. Reads the chain up to the head as it was when the export began.
export async function* exportChunks(
  db: DbOrTrx,
  workspaceId: string,
  f: ExportFilter,
  counter: { records: number } = { records: 0 },
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const head = await getHead(db, workspaceId);
  if (!head) return;
  const keep = keepOf(f);
  yield* jsonlChunks(scanRecords(db, workspaceId, 0, head.seq, { keep }), counter, chunkBytes);
}

/** The export filter as a record predicate (undefined: every record). */
export function keepOf(f: ExportFilter): ((r: StreamedRecord) => boolean) | undefined {
  const types = f.types?.length ? new Set<string>(f.types) : undefined;
  return types || f.since !== undefined || f.until !== undefined
    ? (r: StreamedRecord) =>
        (!types || types.has(r.event_type)) &&
        (f.since === undefined || r.ts >= f.since) &&
        (f.until === undefined || r.ts < f.until)
    : undefined;
}

// 256 KB chunks: big enough that gzip and the socket see few writes, small enough to stay flat.
export const CHUNK_BYTES = 256 * 1024;

// Records as JSONL chunks of about `chunkBytes`.
export async function* jsonlChunks(
  batches: AsyncIterable<StreamedRecord[]>,
  counter: { records: number } = { records: 0 },
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const out = new RecordLineWriter(chunkBytes * 2);
  for await (const rows of batches) {
    for (const r of rows) {
      out.add(r);
      if (out.length >= chunkBytes) yield out.take();
    }
    counter.records += rows.length;
  }
  if (out.length) yield out.take();
}

export async function auditExport(
  db: Db,
  workspaceId: string,
  actor: Actor,
  what: Record<string, unknown>,
): Promise<void> {
  await db
    .transaction()
    .execute((trx) =>
      audit(trx, workspaceId, actor, 'compliance.exported', { type: 'workspace', id: workspaceId }, { after: what }),
    );
}

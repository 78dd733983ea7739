// Export: records of a workspace in seq order as JSONL, filtered by event time and type, read in
// keyset pages so memory stays flat whatever the size. Every export is an AUDIT_LOG entry.
import { recordLine, type ChainRecord, type ComplianceEventType } from '../../core/compliance.js';
import type { Db, DbOrTrx } from '../../storage/database.js';
import { getHead, listRecords } from '../../storage/repositories/compliance-chain.repository.js';
import { audit, type Actor } from '../audit.service.js';

export interface ExportFilter {
  since?: number; // event time, inclusive
  until?: number; // exclusive
  types?: ComplianceEventType[];
}

// Yields chunks of JSONL; `counter.records` tells how many records went out. Reads seq windows up
// to the head as it was when the export began.
export async function* exportChunks(db: DbOrTrx, workspaceId: string, f: ExportFilter, counter: { records: number } = { records: 0 }, span = 1000): AsyncGenerator<string> {
  const head = await getHead(db, workspaceId);
  if (!head) return;
  const types = f.types?.length ? new Set<string>(f.types) : undefined;
  const keep = types || f.since !== undefined || f.until !== undefined ? (r: ChainRecord) => (!types || types.has(r.event_type)) && (f.since === undefined || r.ts >= f.since) && (f.until === undefined || r.ts < f.until) : undefined;
  for (let after = 0; after < head.seq; after += span) {
    const rows = await listRecords(db, workspaceId, after, Math.min(after + span, head.seq), keep);
    if (!rows.length) continue;
    let out = '';
    for (const r of rows) out += recordLine(r) + '\n';
    counter.records += rows.length;
    yield out;
  }
}

export async function auditExport(db: Db, workspaceId: string, actor: Actor, what: Record<string, unknown>): Promise<void> {
  await db.transaction().execute((trx) => audit(trx, workspaceId, actor, 'compliance.exported', { type: 'workspace', id: workspaceId }, { after: what }));
}

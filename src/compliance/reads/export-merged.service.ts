// The merged export (decisions/0019): the records of the raw export, with each CODEX_LOG fact's
// records (the first source's and the completion the other appended) folded into one
// `compliance.fact` line. Not verifiable (the chain is the raw export); for reading. Two passes in
// seq order keep memory to the facts still open: the first notes each fact's last seq, the second
// holds a fact's records until that seq and writes the merged line there.
import { recordLine } from '../../core/compliance-record-line.js';
import { FACT_KINDS, factOf, mergeFact } from '../../core/compliance-merge.js';
import type { StreamedRecord } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import { scanRecords } from '../chain/scan.repository.js';
import { CHUNK_BYTES, keepOf, type ExportFilter } from './export.service.js';

const text = (c: StreamedRecord['content']) =>
  c === null ? null : typeof c === 'string' ? c : Buffer.from(c).toString('utf8');

function factKeyOf(r: StreamedRecord, content: string | null): [string, Record<string, unknown>] | null {
  if (r.event_type !== 'CODEX_LOG' || content === null) return null;
  const parsed = JSON.parse(content) as Record<string, unknown>;
  const f = FACT_KINDS.has(String(parsed.kind)) ? factOf(parsed) : null;
  return f === null ? null : [`${String(parsed.kind)}\u0000${f}`, parsed];
}

export async function* mergedExportChunks(
  db: DbOrTrx,
  workspaceId: string,
  f: ExportFilter,
  counter: { records: number } = { records: 0 },
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const head = await getHead(db, workspaceId);
  if (!head) return;
  const keep = keepOf(f);
  const last = new Map<string, number>();
  for await (const rows of scanRecords(db, workspaceId, 0, head.seq, { keep }))
    for (const r of rows) {
      const k = factKeyOf(r, text(r.content));
      if (k) last.set(k[0], r.seq);
    }
  const open = new Map<
    string,
    { first: StreamedRecord; records: { id: string; content: Record<string, unknown> }[] }
  >();
  let out = '';
  for await (const rows of scanRecords(db, workspaceId, 0, head.seq, { keep })) {
    for (const r of rows) {
      const content = text(r.content);
      const k = factKeyOf(r, content);
      if (!k) out += recordLine({ ...r, content }) + '\n';
      else {
        const g = open.get(k[0]) ?? { first: r, records: [] };
        g.records.push({ id: r.id, content: k[1] });
        open.set(k[0], g);
        if (last.get(k[0]) === r.seq) {
          open.delete(k[0]);
          const m = mergeFact(g.records);
          out +=
            JSON.stringify({
              object: 'compliance.fact',
              fact: m.fact,
              event_type: 'CODEX_LOG',
              seq: g.first.seq,
              timestamp: new Date(g.first.ts).toISOString(),
              user_id: g.first.user_id,
              thread_id: g.first.thread_id,
              record_ids: m.record_ids,
              content: m.content,
            }) + '\n';
        }
      }
      if (out.length >= chunkBytes) {
        yield Buffer.from(out, 'utf8');
        out = '';
      }
    }
    counter.records += rows.length;
  }
  if (out) yield Buffer.from(out, 'utf8');
}

// The merged view of a search page (decisions/0019): each CODEX_LOG fact record of the page shown
// with the other records of its fact (the base and the completions another source appended) folded
// into one, read from the whole chain up to the head, not only from the page. Paging stays on the
// raw records' seq, so a fact is shown once per page that holds one of its records: a completion
// whose base is on another page shows the whole merged fact again there (`fact` names it).
import { recordLine } from '../../core/compliance-record-line.js';
import { FACT_KINDS, factOf, mergeFact, type FactRecord } from '../../core/compliance-merge.js';
import type { ChainRecord } from '../../core/compliance.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { searchRecords } from './search.repository.js';

const MAX_FACT_RECORDS = 10_000; // of one thread, read to find a page's facts' other records

type Parsed = ChainRecord & { parsed: Record<string, unknown> | null; fact: string | null };

function parse(r: ChainRecord): Parsed {
  if (r.event_type !== 'CODEX_LOG' || r.content === null) return { ...r, parsed: null, fact: null };
  const parsed = JSON.parse(r.content) as Record<string, unknown>;
  const fact = FACT_KINDS.has(String(parsed.kind)) ? factOf(parsed) : null;
  return { ...r, parsed, fact: fact === null ? null : `${String(parsed.kind)}\u0000${fact}` };
}

/** The page's records as JSON items of the merged view, in page order. */
export async function mergedItems(
  db: DbOrTrx,
  workspaceId: string,
  page: readonly ChainRecord[],
  untilSeq: number,
): Promise<string[]> {
  const rows = page.map(parse);
  const threads = new Set(rows.filter((r) => r.fact && r.thread_id).map((r) => r.thread_id!));
  const groups = new Map<string, Parsed[]>();
  for (const thread of threads) {
    const all = await searchRecords(
      db,
      workspaceId,
      { threadId: thread, eventTypes: ['CODEX_LOG'], untilSeq, order: 'asc' },
      MAX_FACT_RECORDS,
    );
    for (const r of all.map(parse)) {
      if (!r.fact) continue;
      const g = groups.get(r.fact);
      if (g) g.push(r);
      else groups.set(r.fact, [r]);
    }
  }
  const shown = new Set<string>();
  const out: string[] = [];
  for (const r of rows) {
    if (!r.fact) {
      out.push(recordLine(r));
      continue;
    }
    if (shown.has(r.fact)) continue;
    shown.add(r.fact);
    const g = groups.get(r.fact) ?? [r];
    const m = mergeFact(g.map((x): FactRecord => ({ id: x.id, content: x.parsed! })));
    const first = g[0]!;
    out.push(
      JSON.stringify({
        object: 'compliance.fact',
        fact: m.fact,
        event_type: 'CODEX_LOG',
        seq: first.seq,
        timestamp: new Date(first.ts).toISOString(),
        user_id: first.user_id,
        thread_id: first.thread_id,
        record_ids: m.record_ids,
        content: m.content,
      }),
    );
  }
  return out;
}

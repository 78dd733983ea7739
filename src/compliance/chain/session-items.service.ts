// Session-file content into the chain, inside the ingest transaction: each item whose once-key
// (thread, line key) this transaction claims first becomes a record; re-reads of a file, the same
// file pushed from another machine and a retried upload claim nothing and append nothing
// (decisions/0023). Kept apart from ingest-records.service.ts: items are not facts.
import type { RecordDraft } from '../../core/compliance.js';
import type { SessionItem } from '../../core/session-items.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { claimOnce } from './once.repository.js';

// One key a row, 2 parameters: far below SQLite's 32766 per statement.
const CLAIM_CHUNK = 4096;

/** The drafts of the items not archived before, in the order given (file order). */
export async function sessionItemDrafts(
  trx: DbOrTrx,
  workspaceId: string,
  items: readonly SessionItem[],
): Promise<RecordDraft[]> {
  const out: RecordDraft[] = [];
  for (let i = 0; i < items.length; i += CLAIM_CHUNK) {
    const chunk = items.slice(i, i + CLAIM_CHUNK);
    const claimed = await claimOnce(
      trx,
      workspaceId,
      chunk.map((it) => it.once),
    );
    // delete: the same key twice in one batch appends once.
    for (const it of chunk) if (claimed.delete(it.once)) out.push(it.draft);
  }
  return out;
}

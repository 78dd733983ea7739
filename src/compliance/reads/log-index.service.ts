// The log-file index checked against the chain (verify) and rebuilt from it (`steward compliance
// reindex`). The index is not chained: anyone with database access can delete or alter its rows,
// and the Logs API then lists fewer files; the chain is the truth it is recomputed from.
import { describeDifference, diffLogIndex, INDEX_MINUTE_MS, type LogIndexDifference } from '../../core/log-index.js';
import type { ChainProblem } from '../../core/chain-verifier.js';
import type { Db, DbOrTrx } from '../../platform/storage/database.js';
import { getHead } from '../chain/chain.repository.js';
import {
  deleteLogIndex,
  listLogIndex,
  lockChainHead,
  logIndexFromChain,
  upsertLogIndex,
} from './log-index.repository.js';
import { audit, type Actor } from '../audit.service.js';

export const REINDEX_COMMAND = 'steward compliance reindex';
const SHOWN = 20;

export interface LogIndexCheck {
  ok: boolean;
  differing: number; // (event type, minute) rows that differ
  differences: LogIndexDifference[]; // the first SHOWN of them
}

// The index against the records up to the head, without a transaction (one on SQLite would hold the
// write lock for the scan). The index is read between two reads of the head: when the head did not
// move, no append committed in between and the index is exactly the one of the records up to it.
// When appends keep committing, the minutes they can have touched (those of the head's recorded_at
// on: appends record strictly later) are left out of the comparison.
export async function checkLogIndex(db: DbOrTrx, workspaceId: string): Promise<LogIndexCheck> {
  for (let attempt = 1; ; attempt++) {
    const head = await getHead(db, workspaceId);
    const index = await listLogIndex(db, workspaceId);
    const again = await getHead(db, workspaceId);
    const still = (head?.seq ?? 0) === (again?.seq ?? 0);
    if (!still && attempt < 3) continue;
    const chain = await logIndexFromChain(db, workspaceId, head?.seq ?? 0);
    const diffs = diffLogIndex(chain, index, still ? Infinity : Math.floor(head!.recorded_at / INDEX_MINUTE_MS));
    return { ok: diffs.length === 0, differing: diffs.length, differences: diffs.slice(0, SHOWN) };
  }
}

export function logIndexProblem(c: LogIndexCheck): ChainProblem | null {
  if (c.ok) return null;
  const first = c.differences[0];
  const seq = (first.chain ?? first.index)!.first_seq;
  const shown = c.differences.slice(0, 5).map(describeDifference).join('; ');
  const more = c.differing > 5 ? `; and ${c.differing - 5} more` : '';
  return {
    seq,
    id: null,
    reason: 'log_index_mismatch',
    detail:
      `the log-file index differs from the chain in ${c.differing} event type/minute row(s) ` +
      `(the Logs API lists files from it): ` +
      `${shown}${more}; rebuild it from the chain with \`${REINDEX_COMMAND}\``,
  };
}

export interface ReindexReport {
  object: 'compliance.log_index.rebuild';
  workspace_id: string;
  head_seq: number;
  rows: number; // index rows of the chain up to the head
  changed: number; // rows added, corrected or removed
  added: number;
  corrected: number;
  removed: number;
  differences: LogIndexDifference[]; // the first SHOWN changes
}

// Recomputes the index of the records up to the head in one transaction holding the head's lock (no
// append commits meanwhile), writes only the rows that differ, and audits it in the same transaction.
export async function reindexLogs(db: Db, workspaceId: string, actor: Actor): Promise<ReindexReport> {
  return db.transaction().execute(async (trx) => {
    const head = await lockChainHead(trx, workspaceId);
    const chain = await logIndexFromChain(trx, workspaceId, head?.seq ?? 0);
    const diffs = diffLogIndex(chain, await listLogIndex(trx, workspaceId));
    const gone = diffs.filter((d) => !d.chain);
    await deleteLogIndex(trx, workspaceId, gone);
    await upsertLogIndex(
      trx,
      workspaceId,
      diffs.flatMap((d) => (d.chain ? [d.chain] : [])),
    );
    const report: ReindexReport = {
      object: 'compliance.log_index.rebuild',
      workspace_id: workspaceId,
      head_seq: head?.seq ?? 0,
      rows: chain.length,
      changed: diffs.length,
      added: diffs.filter((d) => !d.index).length,
      corrected: diffs.filter((d) => d.index && d.chain).length,
      removed: gone.length,
      differences: diffs.slice(0, SHOWN),
    };
    const { differences: _, object: __, ...counts } = report;
    const after = { ...counts, changes: diffs.slice(0, SHOWN).map(describeDifference) };
    const target = { type: 'workspace', id: workspaceId };
    await audit(trx, workspaceId, actor, 'compliance.log_index_rebuilt', target, { after });
    return report;
  });
}

// Every state change takes an Actor and appends its AUDIT_LOG record to the workspace's compliance
// chain in the same transaction as the change (pass the transaction: the change and its record
// commit together or not at all).
import { auditDraft } from '../core/compliance-records.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { appendRecords } from './chain/chain.repository.js';

export interface Actor {
  type: 'cli' | 'key' | 'system' | 'user';
  id: string | null;
}

export const SYSTEM: Actor = { type: 'system', id: null };

export async function audit(
  db: DbOrTrx,
  workspaceId: string,
  actor: Actor,
  action: string,
  target: { type: string; id: string } | null,
  change: { before?: unknown; after?: unknown } = {},
): Promise<void> {
  await appendRecords(db, workspaceId, [
    auditDraft({ ts: Date.now(), actor, action, target, before: change.before, after: change.after }),
  ]);
}

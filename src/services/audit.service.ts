// Every state change takes an Actor and appends its audit entry in the same transaction as the change.
import { newId } from '../core/ids.js';
import type { DbOrTrx } from '../storage/database.js';
import { appendAudit } from '../storage/repositories/audit.repository.js';

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
  await appendAudit(db, {
    id: newId(),
    workspace_id: workspaceId,
    ts: Date.now(),
    actor_type: actor.type,
    actor_id: actor.id,
    action,
    target_type: target?.type ?? null,
    target_id: target?.id ?? null,
    before_json: change.before === undefined ? null : JSON.stringify(change.before),
    after_json: change.after === undefined ? null : JSON.stringify(change.after),
  });
}

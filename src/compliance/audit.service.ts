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

/** Several changes of one actor at once (a bulk add), one AUDIT_LOG record each, appended together. */
export async function auditMany(
  db: DbOrTrx,
  workspaceId: string,
  actor: Actor,
  entries: readonly { action: string; target: { type: string; id: string } | null; after?: unknown }[],
): Promise<void> {
  if (!entries.length) return;
  const ts = Date.now();
  await appendRecords(
    db,
    workspaceId,
    entries.map((e) => auditDraft({ ts, actor, action: e.action, target: e.target, after: e.after })),
  );
}

/** Person-level reads name at most this many people; a larger page is recorded as a count. */
export const VIEWED_NAMED_MAX = 100;

/**
 * Who looked at whom (decisions/0026): one AUDIT_LOG record (person_data.viewed) per read of
 * person-level data, naming the viewer and the people viewed (folded to a count past VIEWED_NAMED_MAX).
 */
export async function recordPersonView(
  db: DbOrTrx,
  workspaceId: string,
  viewer: Actor,
  what: string,
  userIds: readonly string[],
  detail: Record<string, unknown> = {},
): Promise<void> {
  const people = [...new Set(userIds)].sort();
  // Someone reading only their own data looked at nobody else: nothing to record (a member's own
  // usage page, refreshed every minute by the dashboard, would fill the log with it).
  if (viewer.type === 'user' && people.length === 1 && people[0] === viewer.id) return;
  const named = people.length <= VIEWED_NAMED_MAX;
  await audit(db, workspaceId, viewer, 'person_data.viewed', null, {
    after: { what, ...detail, user_count: people.length, ...(named ? { user_ids: people } : {}) },
  });
}

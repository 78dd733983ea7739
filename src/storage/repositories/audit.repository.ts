import type { DbOrTrx } from '../database.js';
import type { AuditEventTable } from '../schema.js';

// Append and list, nothing else: the audit trail is never updated or deleted through this module.
export async function appendAudit(db: DbOrTrx, row: AuditEventTable): Promise<void> {
  await db.insertInto('audit_events').values(row).execute();
}

export async function listAudit(db: DbOrTrx, workspaceId: string, opts: { afterId?: string; limit?: number } = {}): Promise<AuditEventTable[]> {
  let q = db.selectFrom('audit_events').selectAll().where('workspace_id', '=', workspaceId);
  if (opts.afterId) q = q.where('id', '>', opts.afterId);
  return q.orderBy('id').limit(opts.limit ?? 1000).execute();
}

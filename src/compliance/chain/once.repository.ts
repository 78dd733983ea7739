import type { DbOrTrx } from '../../platform/storage/database.js';

// Claims natural keys of things recorded once per workspace (e.g. a session's disallowed sandbox
// mode); returns the keys that were new. Insert-or-ignore, so replays and parallel nodes agree.
export async function claimOnce(db: DbOrTrx, workspaceId: string, keys: string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const rows = await db
    .insertInto('compliance_once')
    .values([...new Set(keys)].map((once_key) => ({ workspace_id: workspaceId, once_key })))
    .onConflict((oc) => oc.columns(['workspace_id', 'once_key']).doNothing())
    .returning('once_key')
    .execute();
  return new Set(rows.map((r) => r.once_key));
}

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

// Which of these keys were claimed already (by this transaction or committed before it).
export async function claimedKeys(db: DbOrTrx, workspaceId: string, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const list = [...new Set(keys)];
  for (let i = 0; i < list.length; i += 400) {
    const rows = await db
      .selectFrom('compliance_once')
      .select('once_key')
      .where('workspace_id', '=', workspaceId)
      .where('once_key', 'in', list.slice(i, i + 400))
      .execute();
    for (const r of rows) out.add(r.once_key);
  }
  return out;
}

import { newId } from '../core/ids.js';
import type { Db } from '../platform/storage/database.js';
import { countKeys } from './keys.repository.js';
import { findWorkspace, insertWorkspace, listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import type { WorkspaceTable } from '../platform/storage/schema.js';
import { SYSTEM } from '../compliance/index.js';
import { audit } from '../compliance/index.js';
import { createKey } from './keys.service.js';

export interface Bootstrap {
  workspace: WorkspaceTable;
  // Present only on the very first start: the owner key's secret, shown once and never again.
  ownerKey?: { id: string; secret: string };
}

// First start: a default workspace and an owner key. Later starts find the workspace and print nothing.
export async function ensureBootstrapped(db: Db): Promise<Bootstrap> {
  const existing = await listWorkspaces(db);
  if (existing.length > 0) {
    return { workspace: existing[0] };
  }
  const workspace: WorkspaceTable = { id: newId(), name: 'default', created_at: Date.now(), settings: '{}' };
  try {
    await db.transaction().execute(async (trx) => {
      await insertWorkspace(trx, workspace);
      await audit(trx, workspace.id, SYSTEM, 'workspace.created', { type: 'workspace', id: workspace.id }, { after: workspace });
    });
  } catch (e) {
    // Another node created it concurrently: use theirs.
    const again = await listWorkspaces(db);
    if (again.length > 0) return { workspace: again[0] };
    throw e;
  }
  if ((await countKeys(db)) > 0) return { workspace };
  const { key, secret } = await createKey(db, { workspaceId: workspace.id, scopes: ['admin'], name: 'owner' }, SYSTEM);
  return { workspace, ownerKey: { id: key.id, secret } };
}

export async function defaultWorkspace(db: Db): Promise<WorkspaceTable> {
  const all = await listWorkspaces(db);
  if (all.length === 0) throw new Error('no workspace yet: run "steward serve" once to initialise the store');
  return all[0];
}

export async function allWorkspaces(db: Db): Promise<WorkspaceTable[]> {
  return listWorkspaces(db);
}

export async function workspaceById(db: Db, id: string): Promise<WorkspaceTable | undefined> {
  return findWorkspace(db, id);
}

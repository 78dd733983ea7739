import { newId } from '../core/ids.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { countAdminKeys, listKeys } from './keys.repository.js';
import { findWorkspace, insertWorkspace, listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import type { ApiKeyTable, WorkspaceTable } from '../platform/storage/schema.js';
import { audit, SYSTEM, type Actor } from '../compliance/index.js';
import { StewardError, validationError } from '../core/errors.js';
import { createKey } from './keys.service.js';

// How to make another admin key for the default workspace, as printed by serve when one exists.
export const OWNER_KEY_COMMAND = 'steward keys create --scope admin --name owner';

export interface OwnerKeyState {
  // Made by this call: the secret, shown once and never again.
  created?: { id: string; secret: string };
  // Keys already existed, so none was made: the oldest active admin key (null: none is active).
  existing?: { id: string; created_at: number } | null;
}

export interface Bootstrap extends OwnerKeyState {
  workspace: WorkspaceTable;
  // Present only on the very first start: the owner key's secret, shown once and never again.
  ownerKey?: { id: string; secret: string };
}

// A workspace and its first record: the workspace.created AUDIT_LOG entry that starts its chain.
async function insertAudited(trx: DbOrTrx, workspace: WorkspaceTable, actor: Actor): Promise<void> {
  await insertWorkspace(trx, workspace);
  await audit(
    trx,
    workspace.id,
    actor,
    'workspace.created',
    { type: 'workspace', id: workspace.id },
    { after: workspace },
  );
}

// First start: a default workspace. Later starts (and concurrent ones on other nodes) find it.
export async function ensureWorkspace(db: Db): Promise<WorkspaceTable> {
  const existing = await listWorkspaces(db);
  if (existing.length > 0) return existing[0];
  const workspace: WorkspaceTable = { id: newId(), name: 'default', created_at: Date.now(), settings: '{}' };
  try {
    await db.transaction().execute((trx) => insertAudited(trx, workspace, SYSTEM));
  } catch (e) {
    // Another node created it concurrently: use theirs.
    const again = await listWorkspaces(db);
    if (again.length > 0) return again[0];
    throw e;
  }
  return workspace;
}

// An owner (admin) key, made only while the store has never had an admin key (ingest keys made with
// `keys create` before the first serve don't count). serve calls this once it listens, so that a start
// that fails before (a busy port) stores no key it never printed.
export async function ensureOwnerKey(db: Db, workspace: WorkspaceTable): Promise<OwnerKeyState> {
  if ((await countAdminKeys(db)) > 0) {
    const now = Date.now();
    const active = (k: ApiKeyTable) => k.revoked_at === null && (k.expires_at === null || k.expires_at > now);
    const admin = (await listKeys(db, workspace.id)).find((k) => k.scopes.split(' ').includes('admin') && active(k));
    return { existing: admin ? { id: admin.id, created_at: admin.created_at } : null };
  }
  const { key, secret } = await createKey(db, { workspaceId: workspace.id, scopes: ['admin'], name: 'owner' }, SYSTEM);
  return { created: { id: key.id, secret } };
}

// Both at once, for commands that print the key right away (import, report).
export async function ensureBootstrapped(db: Db): Promise<Bootstrap> {
  const workspace = await ensureWorkspace(db);
  const owner = await ensureOwnerKey(db, workspace);
  return { workspace, ...owner, ownerKey: owner.created };
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

// Workspace ids appear in URLs (/v1/compliance/workspaces/{id}/…) and in config keys
// ([github.workspace_secrets]): letters, digits, '.', '_' and '-', starting with a letter or digit.
const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Another workspace of this store (its own users, keys, policies and compliance chain); audited in it. */
export async function createWorkspace(
  db: Db,
  input: { id?: string; name: string },
  actor: Actor,
): Promise<WorkspaceTable> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw validationError('name', 'must be 1 to 200 characters', 'body');
  if (input.id !== undefined && !WORKSPACE_ID.test(input.id))
    throw validationError(
      'id',
      "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      'body',
    );
  const workspace: WorkspaceTable = { id: input.id ?? newId(), name, created_at: Date.now(), settings: '{}' };
  return db.transaction().execute(async (trx) => {
    if (await findWorkspace(trx, workspace.id))
      throw new StewardError('conflict', `workspace ${workspace.id} already exists`);
    await insertAudited(trx, workspace, actor);
    return workspace;
  });
}

import type { DbOrTrx } from '../storage/database.js';
import { lockKeysForTransaction } from '../storage/dialect.js';
import type { WorkspaceTable } from '../storage/schema.js';

export async function insertWorkspace(db: DbOrTrx, row: WorkspaceTable): Promise<void> {
  await db.insertInto('workspaces').values(row).execute();
}

export async function listWorkspaces(db: DbOrTrx): Promise<WorkspaceTable[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findWorkspace(db: DbOrTrx, id: string): Promise<WorkspaceTable | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateWorkspaceSettings(db: DbOrTrx, id: string, settings: string): Promise<void> {
  await db.updateTable('workspaces').set({ settings }).where('id', '=', id).execute();
}

/**
 * Holds the workspace's settings document for the rest of the transaction: its sections (the content
 * policy, the analytics settings) are changed read-modify-write, and two changes at once would lose one.
 */
export async function lockWorkspaceSettings(trx: DbOrTrx, id: string): Promise<void> {
  await lockKeysForTransaction(trx, [`workspace-settings:${id}`]);
}

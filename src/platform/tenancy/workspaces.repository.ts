import type { DbOrTrx } from '../storage/database.js';
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

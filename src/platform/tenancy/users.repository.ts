import type { DbOrTrx } from '../storage/database.js';
import type { UserTable } from '../storage/schema.js';

export async function insertUser(db: DbOrTrx, row: UserTable): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function findUserByEmail(db: DbOrTrx, workspaceId: string, email: string): Promise<UserTable | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function findUserById(db: DbOrTrx, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUsersByIds(db: DbOrTrx, ids: string[]): Promise<UserTable[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export async function listUsers(db: DbOrTrx, workspaceId: string): Promise<UserTable[]> {
  return db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).orderBy('email').execute();
}

export async function updateUser(
  db: DbOrTrx,
  id: string,
  patch: Partial<Pick<UserTable, 'name' | 'role' | 'github_login' | 'removed_at' | 'service'>>,
): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

/** Ids of the workspace's service identities (decisions/0026). */
export async function serviceUserIds(db: DbOrTrx, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('service', '=', 1)
    .execute();
  return rows.map((r) => r.id);
}

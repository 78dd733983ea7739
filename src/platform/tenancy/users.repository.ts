import type { DbOrTrx } from '../storage/database.js';
import { containsIgnoringCase } from '../storage/dialect.js';
import { sql } from 'kysely';
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

export interface UserPageQuery {
  /** Users whose email or name holds this text, any case (LIKE's wildcards taken literally). */
  search?: string;
  /** Without removed users and service identities (the people a key can be made for). */
  people?: boolean;
  limit: number;
  offset: number;
}

/** A page of the workspace's users by email, and how many match. */
export async function findUsers(
  db: DbOrTrx,
  workspaceId: string,
  q: UserPageQuery,
): Promise<{ rows: UserTable[]; total: number }> {
  let base = db.selectFrom('users').where('workspace_id', '=', workspaceId);
  if (q.people) base = base.where('removed_at', 'is', null).where('service', '=', 0);
  const text = q.search;
  if (text)
    base = base.where(
      sql<boolean>`(${containsIgnoringCase(db, sql`email`, text)} or ${containsIgnoringCase(db, sql`name`, text)})`,
    );
  // The page walks the (workspace, email) index; the count is its own statement (a window count
  // would read and sort every match to return a hundred).
  const rows = await base.selectAll().orderBy('email').limit(q.limit).offset(q.offset).execute();
  const total =
    q.offset === 0 && rows.length < q.limit
      ? rows.length
      : Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
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

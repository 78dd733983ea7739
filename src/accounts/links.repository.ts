import type { DbOrTrx } from '../platform/storage/database.js';
import type { AccountLinkTable } from './accounts.tables.js';

export async function insertLink(db: DbOrTrx, row: AccountLinkTable): Promise<void> {
  await db.insertInto('account_links').values(row).execute();
}

/**
 * Marks the link used if it is unused and unexpired, in one conditional update: of two concurrent
 * uses exactly one gets the row back.
 */
export async function useLink(db: DbOrTrx, secretHash: string, now: number): Promise<AccountLinkTable | undefined> {
  const r = await db
    .updateTable('account_links')
    .set({ used_at: now })
    .where('secret_hash', '=', secretHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  return r ? { ...r, created_at: Number(r.created_at), expires_at: Number(r.expires_at) } : undefined;
}

export async function hasOpenSetupLink(db: DbOrTrx, workspaceId: string, now: number): Promise<boolean> {
  const r = await db
    .selectFrom('account_links')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('purpose', '=', 'setup')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return r !== undefined;
}

/** Whether some owner of the workspace can sign in with a password. */
export async function ownerHasPassword(db: DbOrTrx, workspaceId: string): Promise<boolean> {
  const r = await db
    .selectFrom('users')
    .innerJoin('user_credentials', 'user_credentials.user_id', 'users.id')
    .select('users.id')
    .where('users.workspace_id', '=', workspaceId)
    .where('users.role', '=', 'owner')
    .where('users.removed_at', 'is', null)
    .executeTakeFirst();
  return r !== undefined;
}

/** The link if it can still be used (read before hashing the new password, outside the transaction). */
export async function findOpenLink(
  db: DbOrTrx,
  secretHash: string,
  now: number,
): Promise<AccountLinkTable | undefined> {
  return db
    .selectFrom('account_links')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

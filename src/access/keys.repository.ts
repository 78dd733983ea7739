import type { DbOrTrx } from '../platform/storage/database.js';
import type { ApiKeyTable } from '../platform/storage/schema.js';

export async function insertKey(db: DbOrTrx, row: ApiKeyTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findKeyByHash(db: DbOrTrx, secretHash: string): Promise<ApiKeyTable | undefined> {
  return db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
}

export async function findKey(db: DbOrTrx, id: string): Promise<ApiKeyTable | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listKeys(
  db: DbOrTrx,
  workspaceId: string,
): Promise<(ApiKeyTable & { user_email: string | null })[]> {
  return db
    .selectFrom('api_keys as k')
    .leftJoin('users as u', 'u.id', 'k.user_id')
    .selectAll('k')
    .select('u.email as user_email')
    .where('k.workspace_id', '=', workspaceId)
    .orderBy('k.created_at')
    .orderBy('k.id')
    .execute();
}

// Admin keys ever made (revoked ones included), in every workspace. ('admin' is in no other scope's name.)
export async function countAdminKeys(db: DbOrTrx): Promise<number> {
  const r = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('scopes', 'like', '%admin%')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markRevoked(db: DbOrTrx, id: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// Revokes every active key of a user at once; returns their ids.
export async function revokeUserKeys(db: DbOrTrx, userId: string, at: number): Promise<string[]> {
  const rows = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

// Ends a key's validity at `at` unless it already ends sooner (key rotation's grace period).
export async function expireBy(db: DbOrTrx, id: string, at: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ expires_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .execute();
}

// Returns true when this was the key's first recorded use (the caller audits it).
export async function touchKey(db: DbOrTrx, id: string, at: number): Promise<boolean> {
  const first = await db
    .updateTable('api_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where('last_used_at', 'is', null)
    .executeTakeFirst();
  if (Number(first.numUpdatedRows) > 0) return true;
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  return false;
}

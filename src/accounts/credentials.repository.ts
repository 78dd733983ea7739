import type { DbOrTrx } from '../platform/storage/database.js';

export async function upsertPassword(db: DbOrTrx, userId: string, hash: string, now: number): Promise<void> {
  await db
    .insertInto('user_credentials')
    .values({ user_id: userId, password_hash: hash, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: hash, updated_at: now }))
    .execute();
}

export async function findPasswordHash(db: DbOrTrx, userId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('user_credentials')
    .select('password_hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r?.password_hash;
}

/** Every session of the user ends when their password is set (sign-out everywhere). */
export async function deleteUserSessions(db: DbOrTrx, userId: string): Promise<number> {
  const r = await db.deleteFrom('user_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

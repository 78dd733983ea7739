import type { DbOrTrx } from '../platform/storage/database.js';
import type { UserSessionTable } from './accounts.tables.js';

export async function insertSession(db: DbOrTrx, row: UserSessionTable): Promise<void> {
  await db.insertInto('user_sessions').values(row).execute();
}

/** The session with its user's role and removal, in one indexed read (secret_hash is unique). */
export async function findSessionByHash(db: DbOrTrx, secretHash: string) {
  return db
    .selectFrom('user_sessions')
    .innerJoin('users', 'users.id', 'user_sessions.user_id')
    .select([
      'user_sessions.id',
      'user_sessions.user_id',
      'user_sessions.workspace_id',
      'user_sessions.last_seen_at',
      'user_sessions.idle_expires_at',
      'user_sessions.expires_at',
      'users.role',
      'users.email',
      'users.removed_at',
    ])
    .where('user_sessions.secret_hash', '=', secretHash)
    .executeTakeFirst();
}

export async function touchSession(db: DbOrTrx, id: string, now: number, idleExpiresAt: number): Promise<void> {
  await db
    .updateTable('user_sessions')
    .set({ last_seen_at: now, idle_expires_at: idleExpiresAt })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: DbOrTrx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('user_sessions').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Expired rows are refused on read; this only keeps the table small (called on sign-in). */
export async function deleteExpiredSessions(db: DbOrTrx, now: number): Promise<void> {
  await db
    .deleteFrom('user_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('idle_expires_at', '<=', now)]))
    .execute();
}

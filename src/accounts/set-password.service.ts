// Setting a user's password (steward users passwd, a reset or setup link): the rules first, then the
// hash, the stored credential, every session of the user ended, and the AUDIT_LOG record, in one
// transaction. The record says that the password changed, never anything derived from it.
import { StewardError } from '../core/errors.js';
import { checkPassword } from '../core/passwords.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { findUserByEmail } from '../platform/tenancy/users.repository.js';
import { audit, type Actor } from '../compliance/index.js';
import { deleteUserSessions, findPasswordHash, upsertPassword } from './credentials.repository.js';
import { hashPassword } from './password.service.js';

export async function setPassword(
  db: Db,
  workspaceId: string,
  email: string,
  password: string,
  actor: Actor,
): Promise<{ userId: string; sessionsEnded: number }> {
  const user = await findUserByEmail(db, workspaceId, email.trim().toLowerCase());
  if (!user) throw new StewardError('not_found', `no user with email ${email}`);
  const hash = await hashPassword(checkPassword(password, user.email));
  return db.transaction().execute(async (trx) => ({
    userId: user.id,
    sessionsEnded: await storePassword(trx, workspaceId, user.id, hash, actor),
  }));
}

/** The stored half of setting a password, in the caller's transaction; returns the sessions ended. */
export async function storePassword(
  trx: DbOrTrx,
  workspaceId: string,
  userId: string,
  hash: string,
  actor: Actor,
): Promise<number> {
  const had = (await findPasswordHash(trx, userId)) !== undefined;
  await upsertPassword(trx, userId, hash, Date.now());
  const sessionsEnded = await deleteUserSessions(trx, userId);
  await audit(
    trx,
    workspaceId,
    actor,
    'user.password_set',
    { type: 'user', id: userId },
    { after: { had_password: had, sessions_ended: sessionsEnded } },
  );
  return sessionsEnded;
}

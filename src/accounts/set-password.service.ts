// Setting a user's password (steward users passwd, later the reset link): the rules first, then the
// hash, the stored credential, every session of the user ended, and the AUDIT_LOG record, in one
// transaction. The record says that the password changed, never anything derived from it.
import { StewardError } from '../core/errors.js';
import { checkPassword } from '../core/passwords.js';
import type { Db } from '../platform/storage/database.js';
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
  return db.transaction().execute(async (trx) => {
    const had = (await findPasswordHash(trx, user.id)) !== undefined;
    await upsertPassword(trx, user.id, hash, Date.now());
    const sessionsEnded = await deleteUserSessions(trx, user.id);
    await audit(
      trx,
      workspaceId,
      actor,
      'user.password_set',
      { type: 'user', id: user.id },
      {
        after: { had_password: had, sessions_ended: sessionsEnded },
      },
    );
    return { userId: user.id, sessionsEnded };
  });
}

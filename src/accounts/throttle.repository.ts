import type { DbOrTrx } from '../platform/storage/database.js';
import type { SignInThrottleTable } from './accounts.tables.js';

export async function findThrottles(db: DbOrTrx, subjects: string[]): Promise<SignInThrottleTable[]> {
  const rows = await db.selectFrom('sign_in_throttle').selectAll().where('subject', 'in', subjects).execute();
  return rows.map((r) => ({
    subject: r.subject,
    failures: Number(r.failures),
    last_failure_at: Number(r.last_failure_at),
    blocked_until: Number(r.blocked_until),
  }));
}

export async function saveThrottle(db: DbOrTrx, row: SignInThrottleTable): Promise<void> {
  const { subject: _s, ...set } = row;
  await db
    .insertInto('sign_in_throttle')
    .values(row)
    .onConflict((oc) => oc.column('subject').doUpdateSet(set))
    .execute();
}

export async function clearThrottle(db: DbOrTrx, subject: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('subject', '=', subject).execute();
}

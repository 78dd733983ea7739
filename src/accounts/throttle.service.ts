// Sign-in throttling per account (the email typed, so an unknown email is slowed like a known one)
// and per source address, in the database so every node shares it (decisions/0022). After the free
// failures, each further failure makes the next attempt wait 1 s, doubling, up to the cap; a failure
// older than the cap is forgotten. So an attacker can slow an account to one guess per cap but can
// never lock its owner out for longer than that.
import type { Config } from '../config/schema.js';
import { StewardError } from '../core/errors.js';
import type { DbOrTrx } from '../platform/storage/database.js';
import { clearThrottle, findThrottles, saveThrottle } from './throttle.repository.js';

type Limits = Pick<Config['accounts'], 'account_free_failures' | 'address_free_failures' | 'throttle_cap_minutes'>;

export interface ThrottleSubjects {
  account: string;
  address: string | null;
}

export function throttleSubjects(workspaceId: string, email: string, ip: string | null): ThrottleSubjects {
  return { account: `account:${workspaceId}:${email}`, address: ip ? `address:${ip}` : null };
}

const list = (s: ThrottleSubjects) => [s.account, ...(s.address ? [s.address] : [])];

/** Refuses (429 with Retry-After) while either subject waits; a refused attempt extends nothing. */
export async function checkThrottle(db: DbOrTrx, s: ThrottleSubjects, now: number): Promise<void> {
  const blocked = Math.max(0, ...(await findThrottles(db, list(s))).map((r) => r.blocked_until));
  if (blocked > now) {
    const retryAfterSeconds = Math.ceil((blocked - now) / 1000);
    throw new StewardError('rate_limited', `too many failed sign-ins; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

/** Counts a failure against both subjects and sets the wait the next attempt must keep. */
export async function recordFailure(db: DbOrTrx, s: ThrottleSubjects, limits: Limits, now: number): Promise<void> {
  const capMs = limits.throttle_cap_minutes * 60_000;
  const rows = new Map((await findThrottles(db, list(s))).map((r) => [r.subject, r]));
  for (const subject of list(s)) {
    const free = subject === s.account ? limits.account_free_failures : limits.address_free_failures;
    const old = rows.get(subject);
    const failures = (old && now - old.last_failure_at < capMs ? old.failures : 0) + 1;
    const over = failures - free;
    const wait = over > 0 ? Math.min(capMs, 1000 * 2 ** Math.min(over - 1, 30)) : 0;
    await saveThrottle(db, { subject, failures, last_failure_at: now, blocked_until: wait ? now + wait : 0 });
  }
}

/** A success clears the account's count (not the address's: one right password must not reset a spray). */
export async function clearAccountThrottle(db: DbOrTrx, s: ThrottleSubjects): Promise<void> {
  await clearThrottle(db, s.account);
}

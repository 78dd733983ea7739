// Password rules of NIST SP 800-63B (rev. 4, section 3.1.1.2) for a password that is the only
// factor: at least 15 characters, at most 64 or more accepted, any characters (spaces and Unicode
// included, normalized NFKC), no composition rules, no periodic change; refuse values known to be
// weak. The known-weak check here is local: the account's own email and one repeated character.
import { validationError } from './errors.js';

export const PASSWORD_MIN = 15;
export const PASSWORD_MAX = 128;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Throws a 422 naming the rule broken; returns the normalized password to hash. */
export function checkPassword(password: string, email: string | null): string {
  const p = normalizePassword(password);
  const length = [...p].length; // code points, not UTF-16 units
  const fail = (msg: string) => validationError('password', msg, 'body');
  if (length < PASSWORD_MIN) throw fail(`must be at least ${PASSWORD_MIN} characters (has ${length})`);
  if (length > PASSWORD_MAX) throw fail(`must be at most ${PASSWORD_MAX} characters`);
  if (new Set(p).size === 1) throw fail('must not be one character repeated');
  const lower = p.toLowerCase();
  // The name part only from 3 characters on: "o@example.com" must not forbid every "o".
  const name = email ? email.split('@')[0]!.toLowerCase() : '';
  if (email && (lower.includes(email.toLowerCase()) || (name.length >= 3 && lower.includes(name))))
    throw fail('must not contain your email address or its name part');
  return p;
}

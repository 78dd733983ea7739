// Password hashing: argon2id (memory-hard), parameters chosen so that one verification takes 50-250 ms
// on the deployment machine (decisions/0022 has the measurement). The PHC string stores them, so a
// later change of parameters still verifies older hashes.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

const ARGON2 = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 65_536, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** False for a wrong password and for a stored value that is not an argon2 hash (never throws). */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return verify(stored, password).catch(() => false);
}

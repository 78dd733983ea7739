// X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw request body with the webhook secret.
// Compared in constant time; the body must be the exact bytes GitHub sent (never re-serialized JSON).
import crypto from 'node:crypto';

// Stands in when no secret is bound to the target workspace, so that answer takes the same HMAC and
// compare as a wrong signature and cannot be told apart by timing. Random per process: nothing signs with it.
const UNBOUND = crypto.randomBytes(32);

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

export function signBody(secret: string, body: Buffer | string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

/** `secret` undefined: no secret is bound to the target workspace; always a mismatch, in the same time. */
export function verifySignature(
  secret: string | undefined,
  body: Buffer,
  header: string | string[] | undefined,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'malformed' };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[1], 'hex');
  const expected = crypto
    .createHmac('sha256', secret ?? UNBOUND)
    .update(body)
    .digest();
  // Both are 32 bytes here, as timingSafeEqual requires.
  const same = crypto.timingSafeEqual(given, expected);
  return same && secret !== undefined ? { ok: true } : { ok: false, reason: 'mismatch' };
}

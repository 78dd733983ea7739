// X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw request body with the webhook secret.
// Compared in constant time; the body must be the exact bytes GitHub sent (never re-serialized JSON).
import crypto from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' };

export function signBody(secret: string, body: Buffer | string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

export function verifySignature(secret: string, body: Buffer, header: string | string[] | undefined): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'malformed' };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[1], 'hex');
  const expected = crypto.createHmac('sha256', secret).update(body).digest();
  // Both are 32 bytes here, as timingSafeEqual requires.
  return crypto.timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

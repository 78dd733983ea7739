// The one cookie Steward sets: the browser session id. Read and written here without a package
// (decisions/0025): the value is our own base64url, so parsing is splitting the header on ';' and
// the attributes are fixed.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'steward_session';

/** The session cookie's value, or undefined (a malformed header is no cookie, never an error). */
export function sessionCookie(req: FastifyRequest): string | undefined {
  return readCookie(req, SESSION_COOKIE);
}

/** One of our cookies (all random base64url values), or undefined. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Secure when the request came over TLS (or a proxy says so and the public URL is https): a cookie
 * marked Secure is never sent back over plain HTTP, so a loopback install without TLS still works.
 */
export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (secure) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  setSessionCookie(reply, '', 0, secure);
}

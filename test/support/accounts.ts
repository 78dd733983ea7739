// Browser sign-in for *.http.test.ts: a user with a password, a signed-in session (cookie value and
// CSRF token), and requests made with it.
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { setPassword } from '../../src/accounts/index.js';
import type { TestApp } from './app.js';

export const PASSWORD = 'a long enough pass phrase';

export interface Browser {
  cookie: string; // the session cookie's value
  csrf: string;
  sessionId: string;
  userId: string;
}

export async function userWithPassword(t: TestApp, email: string, role: string, password = PASSWORD): Promise<string> {
  const id = await t.user(email, role);
  await setPassword(t.store.db, t.workspaceId, email, password, { type: 'cli', id: 'test' });
  return id;
}

export function signInRequest(
  t: TestApp,
  email: string,
  password: string,
  opts: { headers?: Record<string, string>; ip?: string } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    remoteAddress: opts.ip,
    headers: { 'content-type': 'application/json', ...opts.headers },
    payload: JSON.stringify({ email, password }),
  });
}

/** The session cookie a response sets (value and attributes), or undefined. */
export function setCookie(r: { headers: Record<string, unknown> }): { value: string; attrs: string[] } | undefined {
  const raw = [r.headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith('steward_session='));
  if (typeof raw !== 'string') return undefined;
  const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
  return { value: pair.slice('steward_session='.length), attrs };
}

export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Browser> {
  const r = await signInRequest(t, email, password);
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  return { cookie: setCookie(r)!.value, csrf: body.csrf_token, sessionId: body.session_id, userId: body.user.id };
}

/** A request with the session cookie; the CSRF token unless `csrf: false` (or another token). */
export function asBrowser(
  t: TestApp,
  b: Browser,
  opts: { method?: string; url: string; csrf?: string | false; payload?: string },
) {
  const headers: Record<string, string> = { cookie: `other=1; steward_session=${b.cookie}` };
  if (opts.csrf !== false) headers['x-csrf-token'] = opts.csrf ?? b.csrf;
  if (opts.payload !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({
    method: (opts.method ?? 'GET') as InjectOptions['method'],
    url: opts.url,
    headers,
    payload: opts.payload,
  });
}

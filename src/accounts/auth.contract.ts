// /auth/*: browser sign-in (decisions/0022, 0025). The session travels in an HttpOnly cookie; a
// state-changing request made with it carries the CSRF token GET /auth/session returns.
import { z } from 'zod';
import { described, errorResponse, jsonBody, responseSchema } from '../platform/http/contract.js';
import { workspaceParams } from '../platform/http/query.contract.js';

const text = (max: number, description: string) => z.string().max(max).describe(description);

const signedIn = z.object({
  object: z.literal('session'),
  session_id: z.string(),
  user: z.object({ id: z.string(), email: z.string(), role: z.string() }),
  workspace_id: z.string(),
  csrf_token: z.string().describe('Send it in X-CSRF-Token on every POST/PUT/PATCH/DELETE made with the cookie.'),
  expires_at: z.number().nullable().describe('Absolute expiry, epoch seconds (null when not known here).'),
});

export const signInRoute = {
  summary: 'Sign in with email and password {email, password, workspace?}; sets the session cookie',
  description:
    'Public. Failures are AUTH_LOG records (folded by address); after 5 failures for an account (20 for an ' +
    'address) each further attempt waits, doubling from 1 s to a 15 min cap (429 + Retry-After).',
  body: jsonBody(
    z.object({
      email: text(320, 'The account email.'),
      password: text(1024, 'The password.'),
      workspace: text(200, 'Workspace id; needed only when the server has several.').optional(),
    }),
  ),
  response: {
    200: responseSchema(signedIn, 'Signed in; the session cookie is set'),
    401: errorResponse('Email or password is wrong (invalid_credentials)'),
    403: errorResponse('A cross-origin sign-in (csrf_failed)'),
    429: errorResponse('Too many failed sign-ins; wait Retry-After seconds'),
  },
};
export const sessionRoute = {
  summary: 'The signed-in user, their role and workspace, and the CSRF token',
  response: { 200: responseSchema(signedIn, 'The session') },
};
export const signOutRoute = {
  summary: 'Sign out this session',
  response: { 200: described('signed out; the cookie is cleared') },
};
export const signOutEverywhereRoute = {
  summary: 'Sign out every session of the signed-in user',
  response: { 200: described('{sessions_ended}') },
};
export const setPasswordRoute = {
  summary: 'Set a password with a one-time link {token, password, email?, name?}',
  description:
    'Public. The token is the #token= part of a setup link (printed by serve on first start; email names ' +
    'the first owner) or of a reset link an owner made. A link works once; every session of the user ends.',
  body: jsonBody(
    z.object({
      token: text(200, 'The one-time token.'),
      password: text(1024, 'The new password (15 to 128 characters, NIST 800-63B).'),
      email: text(320, 'Setup link only: the first owner.').optional(),
      name: text(200, 'Setup link only: their display name.').optional(),
    }),
  ),
  response: {
    200: described('{user_id, email, sessions_ended}'),
    403: errorResponse('A cross-origin request (csrf_failed)'),
    410: errorResponse('The link is unknown, used or expired'),
  },
};
export const resetLinkRoute = {
  summary: 'Make a one-time password reset link for a user',
  params: workspaceParams.extend({ user_id: z.string() }),
  response: { 201: described('{url, expires_at}'), 404: errorResponse('unknown user') },
};

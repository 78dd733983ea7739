// /auth/oidc/*: single sign-on (decisions/0030). Browser navigations: both answer with a redirect,
// and a refusal is a JSON error like every other route's.
import { z } from 'zod';
import { described, errorResponse } from '../platform/http/contract.js';

const param = (description: string) => z.string().max(4096).optional().describe(description);

export const oidcStartRoute = {
  summary: 'Begin single sign-on: redirects to the identity provider (authorization code with PKCE)',
  description:
    'Public. Sets a short-lived flow cookie; the state, nonce and PKCE verifier stay on the server for ten minutes.',
  response: {
    303: described('To the identity provider'),
    409: errorResponse('Single sign-on is not configured, or the workspace is ambiguous (not_configured)'),
    502: errorResponse('The identity provider could not be reached (idp_unavailable)'),
  },
};

export const oidcCallbackRoute = {
  summary: 'Finish single sign-on: the provider sends the browser here; sets the session cookie',
  description:
    'Public. The code is exchanged and the ID token verified; the person is matched by verified email, or ' +
    'created with accounts.oidc.default_role when auto_create is on. Successes and refusals are AUTH_LOG records.',
  querystring: z.looseObject({
    code: param('Authorization code'),
    state: param('The state sent in the redirect'),
    iss: param('The issuer (RFC 9207)'),
    error: param("The provider's error, when it refused"),
    error_description: param("The provider's explanation"),
  }),
  response: {
    303: described('Signed in: to the dashboard, with the session cookie set'),
    401: errorResponse(
      'The flow is unknown, expired or replayed, the state is wrong, or the token does not verify (oidc_failed)',
    ),
    403: errorResponse(
      'Email missing or not verified, no account and auto_create off, or a removed user (oidc_refused)',
    ),
    409: errorResponse('Single sign-on is not configured (not_configured)'),
    502: errorResponse('The identity provider could not be reached (idp_unavailable)'),
  },
};

// One registry of error codes. Every failure a client can see is declared here once, with its
// HTTP status and whether retrying can help; routes never invent statuses of their own.
export const ERRORS = {
  unauthenticated: {
    status: 401,
    retryable: false,
    message: 'missing or malformed Authorization header; send "Authorization: Bearer <key>"',
  },
  invalid_key: { status: 401, retryable: false, message: 'API key is unknown, revoked or expired' },
  forbidden_scope: { status: 403, retryable: false, message: 'API key lacks the required scope' },
  forbidden_workspace: { status: 403, retryable: false, message: 'API key does not belong to this workspace' },
  forbidden_role: { status: 403, retryable: false, message: "the signed-in user's role may not call this route" },
  invalid_credentials: { status: 401, retryable: false, message: 'email or password is wrong' },
  invalid_session: { status: 401, retryable: false, message: 'session is unknown, expired or signed out; sign in' },
  csrf_failed: {
    status: 403,
    retryable: false,
    message: 'missing or wrong CSRF token; send the one GET /auth/session returns in X-CSRF-Token',
  },
  oidc_failed: { status: 401, retryable: false, message: 'single sign-on failed; start again' },
  oidc_refused: {
    status: 403,
    retryable: false,
    message: 'the identity provider vouched for this person, but they may not sign in here',
  },
  idp_unavailable: { status: 502, retryable: true, message: 'the identity provider could not be reached' },
  invalid_link: { status: 410, retryable: false, message: 'this link is unknown, used or expired' },
  bad_signature: {
    status: 401,
    retryable: false,
    message: 'webhook signature is missing or does not match the configured secret',
  },
  not_found: { status: 404, retryable: false, message: 'not found' },
  unsupported_media_type: { status: 415, retryable: false, message: 'unsupported content type' },
  unsupported_encoding: { status: 415, retryable: false, message: 'unsupported content encoding' },
  body_too_large: { status: 413, retryable: false, message: 'request body too large' },
  too_many_records: { status: 413, retryable: false, message: 'too many records in one request' },
  malformed_body: { status: 400, retryable: false, message: 'request body could not be decoded' },
  invalid_request: { status: 400, retryable: false, message: 'invalid request' },
  validation: { status: 422, retryable: false, message: 'validation error' },
  conflict: { status: 409, retryable: false, message: 'conflict' },
  not_configured: { status: 409, retryable: false, message: 'this feature is not configured on the server' },
  // 429, not 503: this node is fine and answers again in a moment (Retry-After); OTLP exporters retry
  // both, and the Rust exporter Codex uses honours Retry-After only on a 429 (decisions/0051). A 503
  // says the node itself is going away or cannot work (shutdown, storage): a balancer tries another.
  overloaded: { status: 429, retryable: true, message: 'server is busy; retry later' },
  rate_limited: { status: 429, retryable: true, message: 'too many requests; retry later' },
  shutting_down: { status: 503, retryable: true, message: 'server is shutting down; retry later' },
  storage_unavailable: { status: 503, retryable: true, message: 'storage is unavailable; retry later' },
  internal: { status: 500, retryable: false, message: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class StewardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly detail?: ValidationDetail[];
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message?: string,
    extra: { detail?: ValidationDetail[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message ?? ERRORS[code].message, { cause: extra.cause });
    this.code = code;
    this.status = ERRORS[code].status;
    this.retryable = ERRORS[code].retryable;
    this.detail = extra.detail;
    this.retryAfterSeconds = extra.retryAfterSeconds ?? (this.retryable ? 1 : undefined);
  }
}

export function validationError(
  param: string,
  msg: string,
  where: 'query' | 'body' | 'path' = 'query',
  type = 'value_error',
): StewardError {
  return new StewardError('validation', `${param}: ${msg}`, { detail: [{ loc: [where, param], msg, type }] });
}

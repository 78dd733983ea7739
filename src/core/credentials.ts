// Who a request's API key says it is, and what a refused request leaves behind for AUTH_LOG.

export interface AuthenticatedKey {
  keyId: string;
  workspaceId: string;
  userId: string | null;
  scopes: string[];
  sharedCollector: boolean;
  service: boolean; // a CI or service identity's key (decisions/0026)
}

export interface AuthFailure {
  code: string;
  message: string;
  secret?: string;
  /** The workspace of the key when the caller already knows it (a valid key on another workspace's path). */
  keyWorkspace?: string;
  /** The user of the browser session that was refused (a CSRF or role refusal). */
  sessionUser?: string | null;
  method: string;
  path: string;
  route: string | null;
  requiredScope: string | null;
  requestedWorkspace: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Who a browser session belongs to (accounts/sessions.service.ts), as the authorization hook sees it. */
export interface AuthenticatedSession {
  sessionId: string;
  workspaceId: string;
  userId: string;
  role: string;
  csrfToken: string;
}

/**
 * The caller of a request after authorization, whichever credential it presented. `users` is the
 * set of users whose rows the caller may see when its reach is narrower than the workspace (null:
 * the whole workspace).
 */
export interface Principal {
  via: 'key' | 'session';
  keyId: string | null;
  sessionId: string | null;
  workspaceId: string;
  userId: string | null;
  role: string | null;
  scopes: string[];
  sharedCollector: boolean;
  service: boolean; // a CI or service identity's key (decisions/0026); a session: false
  users: string[] | null;
}

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
  method: string;
  path: string;
  route: string | null;
  requiredScope: string | null;
  requestedWorkspace: string | null;
  ip: string | null;
  userAgent: string | null;
}

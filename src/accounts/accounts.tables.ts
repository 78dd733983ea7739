// Tables of local accounts (migration 0015). Times are epoch ms.
export interface UserCredentialTable {
  user_id: string;
  password_hash: string; // argon2id, PHC string (parameters inside)
  updated_at: number;
}

export interface UserSessionTable {
  id: string; // public: logs and audit name a session by it
  secret_hash: string; // sha256 of the cookie value
  user_id: string;
  workspace_id: string;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  expires_at: number; // absolute
  ip: string | null;
  user_agent: string | null;
}

export interface AccountLinkTable {
  id: string;
  secret_hash: string;
  workspace_id: string;
  user_id: string | null;
  purpose: 'setup' | 'reset';
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SignInThrottleTable {
  subject: string;
  failures: number;
  last_failure_at: number;
  blocked_until: number;
}

// An OIDC sign-in between start and callback (migration 0023); single use, ten minutes.
export interface OidcFlowTable {
  id_hash: string; // sha256 of the flow cookie's value
  state: string;
  nonce: string;
  code_verifier: string; // PKCE
  created_at: number;
  expires_at: number;
}

export interface AccountTables {
  user_credentials: UserCredentialTable;
  user_sessions: UserSessionTable;
  account_links: AccountLinkTable;
  sign_in_throttle: SignInThrottleTable;
  oidc_flows: OidcFlowTable;
}

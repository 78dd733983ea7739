export const SCOPES = [
  'admin',
  'ingest.write',
  'codex.enterprise.analytics.read',
  'codex.enterprise.compliance.read',
  'codex.enterprise.compliance.delete',
] as const;
export type Scope = (typeof SCOPES)[number];

// team_lead: a member who also sees the usage of the people in their teams (core/authz.ts).
export const ROLES = ['owner', 'security_owner', 'analytics_owner', 'analytics_viewer', 'team_lead', 'member'] as const;

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

// `admin` implies every other scope, so an owner key can read analytics and compliance too.
export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes('admin');
}

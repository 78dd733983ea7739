// The admin page's fixed lists: roles (src/core/scopes.ts ROLES) and content-policy choices
// (src/core/content-policy.ts), as the server accepts them.
export const ROLES: [string, string][] = [
  ['owner', 'Owner'],
  ['security_owner', 'Security owner'],
  ['analytics_owner', 'Analytics owner'],
  ['analytics_viewer', 'Analytics viewer'],
  ['team_lead', 'Team lead'],
  ['member', 'Member'],
];

export const CONTENT_FIELDS: [string, string][] = [
  ['prompt', 'Prompts'],
  ['response', 'Responses'],
  ['tool_arguments', 'Tool arguments'],
  ['tool_output', 'Tool output'],
];

export const CONTENT_MODES: [string, string][] = [
  ['store', 'Store'],
  ['hash', 'Hash only'],
  ['redact', "Don't store"],
];

export const roleName = (r: string) => ROLES.find(([v]) => v === r)?.[1] ?? r;

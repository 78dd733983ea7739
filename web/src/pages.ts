// The dashboard's views beyond the overview: the path each answers, who may open it (the roles
// the API lets read what it shows, core/authz.ts) and its code, loaded when first opened so the
// first view's bundle stays small. The navigation lists only what the signed-in role may open.
import type { ComponentType } from 'preact';
import type { Session } from './api.js';

export interface PageProps {
  session: Session;
  params: Record<string, string>;
  go: (path: string) => void;
}

export interface PageDef {
  /** A path, with :name for a parameter. */
  path: string;
  label: string;
  roles: readonly string[];
  load: () => Promise<{ default: ComponentType<PageProps> }>;
  /** Where the navigation links (a page with a parameter links for the signed-in user). */
  href?: (s: Session) => string;
}

const ANALYTICS = ['owner', 'analytics_owner', 'analytics_viewer'];
const USAGE = [...ANALYTICS, 'team_lead', 'member'];

export const PAGES: PageDef[] = [
  {
    path: '/users/:user_id',
    label: 'My usage',
    roles: USAGE,
    load: () => import('./pages/user.js'),
    href: (s) => `/users/${encodeURIComponent(s.user.id)}`,
  },
  { path: '/adoption', label: 'Adoption', roles: ANALYTICS, load: () => import('./pages/adoption.js') },
  { path: '/teams', label: 'Teams', roles: ANALYTICS, load: () => import('./pages/teams.js') },
  { path: '/keys', label: 'Keys and setup', roles: ['owner'], load: () => import('./pages/keys.js') },
  { path: '/admin', label: 'Admin', roles: ['owner'], load: () => import('./pages/admin.js') },
  { path: '/code-review', label: 'Code Review', roles: ANALYTICS, load: () => import('./pages/code-review.js') },
  { path: '/tools', label: 'Tools and skills', roles: ANALYTICS, load: () => import('./pages/tools.js') },
  {
    path: '/compliance',
    label: 'Compliance',
    roles: ['owner', 'security_owner'],
    load: () => import('./pages/compliance.js'),
  },
];

/** The roles the overview's query answers; a security owner starts on Compliance instead. */
export const OVERVIEW_ROLES: readonly string[] = USAGE;

/** The page a path opens and its parameters, or null. */
export function match(path: string): { page: PageDef; params: Record<string, string> } | null {
  for (const page of PAGES) {
    const names: string[] = [];
    const re = new RegExp(`^${page.path.replace(/:(\w+)/g, (_m, n) => (names.push(n), '([^/]+)'))}/?$`);
    const m = re.exec(path);
    if (m) return { page, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

export const mayOpen = (page: PageDef, s: Session) => page.roles.includes(s.user.role);

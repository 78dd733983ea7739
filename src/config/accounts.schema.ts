import { z } from 'zod';
import { ROLES } from '../core/scopes.js';
import { flag } from './values.js';

const role = z.enum(ROLES);
const loopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

// [accounts.oidc]: single sign-on with an OpenID Connect provider (decisions/0030). The redirect URL
// is public_url + /auth/oidc/callback, registered at the provider as is.
const oidcSchema = z
  .object({
    issuer: z
      .string()
      .url()
      // A plain-http issuer is refused except on loopback (a provider beside the server, or a test).
      .refine((s) => s.startsWith('https:') || (s.startsWith('http:') && loopback(new URL(s))), {
        message: 'must be an https URL (plain http only on loopback)',
      }),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    scopes: z.string().default('openid email profile'),
    // The workspace people sign in to; may be left out when the server has one.
    workspace: z.string().optional(),
    // First sign-in of a verified email nobody has: create the user with default_role, or refuse.
    auto_create: flag.default(false),
    default_role: role.default('member'),
    // An ID-token claim (a string or a list, e.g. "groups") whose values role_map turns into a role;
    // the most privileged match wins, and a user with no match keeps their role.
    role_claim: z.string().min(1).optional(),
    role_map: z.record(z.string(), role).default({}),
    // The claim listing the user's groups, handed to the teams hook (teams are not built here).
    groups_claim: z.string().min(1).default('groups'),
  })
  .strict()
  .refine((o) => !o.role_claim || Object.keys(o.role_map).length > 0, {
    message: 'role_claim needs role_map (claim value = role)',
    path: ['role_map'],
  });
export type OidcConfig = z.infer<typeof oidcSchema>;

// [accounts] in steward.toml: browser sessions and sign-in throttling (decisions/0022).
const minutes = (d: number) => z.coerce.number().int().min(1).default(d);
export const accountsSchema = z
  .object({
    // A session ends after this long without a request, and in any case this long after sign-in.
    session_idle_minutes: minutes(60),
    session_absolute_hours: z.coerce.number().int().min(1).default(12),
    // Reset links an owner hands out, and the setup link serve prints on first start.
    link_hours: z.coerce.number().int().min(1).default(24),
    // Failed sign-ins allowed per account (and per address) before each further one waits, the wait
    // doubling from one second up to the cap; a failure older than the cap is forgotten.
    account_free_failures: z.coerce.number().int().min(1).default(5),
    address_free_failures: z.coerce.number().int().min(1).default(20),
    throttle_cap_minutes: minutes(15),
    oidc: oidcSchema.optional(),
  })
  .strict()
  .default({
    session_idle_minutes: 60,
    session_absolute_hours: 12,
    link_hours: 24,
    account_free_failures: 5,
    address_free_failures: 20,
    throttle_cap_minutes: 15,
  });

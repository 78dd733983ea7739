// Single sign-on with OpenID Connect (decisions/0030): authorization code with PKCE through
// openid-client, which checks the state, the ID token's signature, issuer, audience, expiry and
// nonce. What is ours: the flow kept server side, matching people by verified email, creating them
// on first sign-in when allowed, roles from a claim, and the session and AUTH_LOG record, which are
// those of password sign-in.
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config/accounts.schema.js';
import type { Config } from '../config/schema.js';
import { authEventDraft } from '../core/compliance-records.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { ROLES } from '../core/scopes.js';
import type { Db } from '../platform/storage/database.js';
import type { UserTable } from '../platform/storage/schema.js';
import { findUserByEmail, insertUser, updateUser } from '../platform/tenancy/users.repository.js';
import { findWorkspace, listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { appendRecords, audit } from '../compliance/index.js';
import { insertFlow, takeFlow } from './oidc.repository.js';
import { startSession, type StartedSession } from './sessions.service.js';
import type { RequestMeta } from './sign-in.service.js';

const FLOW_MS = 10 * 60_000; // time to get through the provider's login page
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Why a sign-in was refused, and whom it concerned, for the route's AUTH_LOG failure record. */
export class OidcRefused extends Error {
  constructor(
    readonly error: StewardError,
    readonly userId?: string,
  ) {
    super(error.message);
  }
}

/**
 * Where teams from the groups claim plug in (issue 13 item 4, built elsewhere): called in the
 * sign-in transaction with the user and the claim's values; absent, groups are ignored.
 */
export type GroupsHook = (
  trx: Parameters<typeof startSession>[0],
  user: { id: string; workspaceId: string },
  groups: string[],
) => Promise<void>;

/** The workspace single sign-on signs people in to: the one configured, or the server's only one. */
export async function oidcWorkspace(db: Db, configured: string | undefined): Promise<string> {
  if (configured) {
    const ws = await findWorkspace(db, configured);
    if (!ws) throw new StewardError('not_configured', `accounts.oidc.workspace: no workspace ${configured}`);
    return ws.id;
  }
  const all = await listWorkspaces(db);
  if (all.length === 1) return all[0].id;
  throw new StewardError('not_configured', 'this server has several workspaces: set accounts.oidc.workspace');
}

export class OidcSignIn {
  private discovered?: Promise<oidc.Configuration>;

  constructor(
    private readonly db: Db,
    private readonly cfg: OidcConfig,
    private readonly workspaceId: () => Promise<string>,
    private readonly redirectUri: string,
    private readonly limits: Config['accounts'],
    private readonly onGroups?: GroupsHook,
  ) {}

  get issuer(): string {
    return this.cfg.issuer;
  }

  /** The provider's metadata, fetched on first use and kept; a failed fetch is retried next time. */
  private provider(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      const insecure = this.cfg.issuer.startsWith('http:'); // loopback only (accounts.schema.ts)
      this.discovered = oidc
        .discovery(new URL(this.cfg.issuer), this.cfg.client_id, this.cfg.client_secret, undefined, {
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        })
        .catch((e: unknown) => {
          this.discovered = undefined;
          throw new StewardError('idp_unavailable', `discovery at ${this.cfg.issuer} failed: ${(e as Error).message}`);
        });
    }
    return this.discovered;
  }

  /** Begins a sign-in: the provider URL to redirect to and the flow cookie's value. */
  async start(now = Date.now()): Promise<{ url: string; flowSecret: string }> {
    const provider = await this.provider();
    const flowSecret = randomBytes(32).toString('base64url');
    const row = {
      id_hash: sha256(flowSecret),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      code_verifier: oidc.randomPKCECodeVerifier(),
      created_at: now,
      expires_at: now + FLOW_MS,
    };
    await insertFlow(this.db, row, now);
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: this.redirectUri,
      scope: this.cfg.scopes,
      state: row.state,
      nonce: row.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(row.code_verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, flowSecret };
  }

  /** Ends a sign-in: the callback URL as the browser requested it and the flow cookie's value. */
  async finish(
    callbackUrl: URL,
    flowSecret: string | undefined,
    meta: RequestMeta,
    now = Date.now(),
  ): Promise<StartedSession & { user: UserTable }> {
    const flow = flowSecret ? await takeFlow(this.db, sha256(flowSecret)) : undefined;
    if (!flow || Number(flow.expires_at) <= now)
      throw new OidcRefused(new StewardError('oidc_failed', 'no sign-in in progress in this browser (or it expired)'));
    const provider = await this.provider();
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(provider, callbackUrl, {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims()!;
    } catch (e) {
      // A wrong state, an error from the provider, a refused code or an ID token that does not verify.
      // openid-client wraps the check that failed (e.g. 'unexpected "state" response parameter value') in cause.
      const err = e as Error & { cause?: { message?: string } };
      const detail =
        e instanceof oidc.AuthorizationResponseError
          ? `${e.error}: ${e.error_description ?? ''}`
          : [err.message, err.cause?.message].filter(Boolean).join(': ');
      throw new OidcRefused(new StewardError('oidc_failed', `the sign-in did not verify (${detail})`));
    }
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email) throw new OidcRefused(new StewardError('oidc_refused', 'the ID token carries no email claim'));
    if (claims.email_verified !== true)
      throw new OidcRefused(new StewardError('oidc_refused', `the provider has not verified ${email}`));
    return this.signInAs(email, claims, meta, now);
  }

  private async signInAs(email: string, claims: oidc.IDToken, meta: RequestMeta, now: number) {
    const workspaceId = await this.workspaceId();
    const claimed = this.claimedRole(claims);
    return this.db.transaction().execute(async (trx) => {
      let user = await findUserByEmail(trx, workspaceId, email);
      if (user?.removed_at != null)
        throw new OidcRefused(new StewardError('oidc_refused', `${email} was removed`), user.id);
      if (!user) {
        if (!this.cfg.auto_create)
          throw new OidcRefused(
            new StewardError('oidc_refused', `${email} has no account here and accounts.oidc.auto_create is off`),
          );
        user = {
          id: newId(),
          workspace_id: workspaceId,
          email,
          name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : null,
          role: claimed ?? this.cfg.default_role,
          github_login: null,
          created_at: now,
          removed_at: null,
          service: 0,
        };
        await insertUser(trx, user);
        const actor = { type: 'system' as const, id: `oidc ${this.cfg.issuer}` };
        await audit(trx, workspaceId, actor, 'user.added', { type: 'user', id: user.id }, { after: user });
      } else if (claimed && claimed !== user.role) {
        await updateUser(trx, user.id, { role: claimed });
        const change = { before: { role: user.role }, after: { role: claimed } };
        await audit(
          trx,
          workspaceId,
          { type: 'system' as const, id: `oidc ${this.cfg.issuer}` },
          'user.role_changed',
          { type: 'user', id: user.id },
          change,
        );
        user = { ...user, role: claimed };
      }
      const groups = this.claimValues(claims, this.cfg.groups_claim);
      if (this.onGroups) await this.onGroups(trx, { id: user.id, workspaceId }, groups);
      const s = await startSession(trx, { id: user.id, workspaceId }, meta, this.limits, now);
      const facts = { ts: now, event: 'sign_in' as const, userId: user.id, sessionId: s.sessionId, ...meta };
      await appendRecords(trx, workspaceId, [authEventDraft({ ...facts, identityProvider: this.cfg.issuer })]);
      return { ...s, user };
    });
  }

  /** The most privileged role the role claim maps to (ROLES is ordered owner first), or undefined. */
  private claimedRole(claims: oidc.IDToken): string | undefined {
    if (!this.cfg.role_claim) return undefined;
    const mapped = this.claimValues(claims, this.cfg.role_claim)
      .map((v) => this.cfg.role_map[v])
      .filter((r) => r !== undefined);
    return ROLES.find((r) => mapped.includes(r));
  }

  private claimValues(claims: oidc.IDToken, name: string): string[] {
    const v = claims[name];
    if (typeof v === 'string') return [v];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }
}

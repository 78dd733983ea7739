// A real OpenID Connect provider (panva's oidc-provider) on loopback for *.http.test.ts, with one
// client and accounts the test adds, and a browser that goes through its login and consent pages
// (devInteractions) with plain HTTP requests and a cookie jar.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, ProviderAccount>;
  close(): Promise<void>;
}

export async function startProvider(redirectUri: string): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, ProviderAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'steward',
        client_secret: 'a client secret for the test provider',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    findAccount: async (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: async () => ({ sub, ...a }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false, // the claims in the ID token, which is what Steward reads
    pkce: { required: () => true },
    cookies: { keys: ['test provider cookie key'] },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (_ctx, err) => console.error('provider error', err));
  server.on('request', provider.callback());
  return {
    issuer,
    clientId: 'steward',
    clientSecret: 'a client secret for the test provider',
    accounts,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * Follows the provider's redirects from `authUrl`, signing in as `login` on its login page and
 * granting its consent page, until it redirects to `stopAt`; returns that URL (the callback).
 */
export async function throughProvider(authUrl: string, login: string, stopAt: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authUrl);
  let init: RequestInit = { method: 'GET' };
  for (let hop = 0; hop < 20; hop++) {
    const headers = {
      ...(init.headers as Record<string, string>),
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url);
      if (url.href.startsWith(stopAt)) return url;
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    assert.ok(prompt && action, `no interaction form at ${url}: ${html.slice(0, 500)}`);
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login, password: 'any' } : {}) });
    url = new URL(action, url);
    init = { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the provider did not redirect back');
}

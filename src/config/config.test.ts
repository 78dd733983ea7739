import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { ConfigError, loadConfig } from './load.js';

const tmp = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cfg-')), 'steward.toml');
  fs.writeFileSync(f, text);
  return f;
};

it('defaults: loopback, port 8787, ./.steward, 90-day lookback, 25 credits per USD', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8787);
  assert.equal(c.data, '.steward');
  assert.equal(c.analytics.lookback_days, 90);
  assert.equal(c.pricing.credits_per_usd, 25);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.analytics));
});

it('flags override environment, which overrides the file', () => {
  const f = tmp('port = 9000\n[analytics]\nlookback_days = 30\n');
  assert.equal(loadConfig({ configFile: f, env: {} }).port, 9000);
  assert.equal(loadConfig({ configFile: f, env: { STEWARD_PORT: '9100' } }).port, 9100);
  assert.equal(loadConfig({ configFile: f, env: { STEWARD_PORT: '9100' }, flags: { port: '9200' } }).port, 9200);
  assert.equal(loadConfig({ configFile: f, env: { STEWARD_ANALYTICS_LOOKBACK_DAYS: '7' } }).analytics.lookback_days, 7);
  assert.deepEqual(loadConfig({ env: { STEWARD_GITHUB_BOT_LOGINS: 'a[bot], b[bot]' } }).github.bot_logins, [
    'a[bot]',
    'b[bot]',
  ]);
});

it('fails fast naming the bad key', () => {
  assert.throws(
    () => loadConfig({ configFile: tmp('port = "eighty"\n'), env: {} }),
    (e: Error) => e instanceof ConfigError && /port/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ configFile: tmp('[analytics]\nlookbak_days = 3\n'), env: {} }),
    (e: Error) => e instanceof ConfigError && /lookbak_days/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ env: { STEWARD_DATABASE_URL: 'mysql://x' } }),
    (e: Error) => e instanceof ConfigError && /database_url/.test(e.message),
  );
  // A replica follows a primary: without database_url there is none.
  assert.throws(
    () => loadConfig({ env: { STEWARD_DATABASE_READ_URL: 'postgres://replica/steward' } }),
    (e: Error) => e instanceof ConfigError && /database_read_url: needs database_url/.test(e.message),
  );
  const both = { STEWARD_DATABASE_URL: 'postgres://db/s', STEWARD_DATABASE_READ_URL: 'postgres://replica/s' };
  assert.equal(loadConfig({ env: both }).database_read_url, 'postgres://replica/s');
  assert.throws(
    () => loadConfig({ configFile: tmp('port = \n'), env: {} }),
    (e: Error) => e instanceof ConfigError && /steward\.toml/.test(e.message),
  );
});

it('boolean settings from the environment: false, 0, no and off mean false; a typo fails', () => {
  for (const v of ['false', '0', 'no', 'off', 'FALSE'])
    assert.equal(loadConfig({ env: { STEWARD_ANALYTICS_SHOW_EMAILS: v } }).analytics.show_emails, false, v);
  for (const v of ['true', '1', 'yes', 'on'])
    assert.equal(loadConfig({ env: { STEWARD_ANALYTICS_SHOW_EMAILS: v } }).analytics.show_emails, true, v);
  assert.equal(
    loadConfig({ configFile: tmp('[analytics]\nshow_emails = false\n'), env: {} }).analytics.show_emails,
    false,
  );
  assert.throws(
    () => loadConfig({ env: { STEWARD_ANALYTICS_SHOW_EMAILS: 'nope' } }),
    (e: Error) => e instanceof ConfigError && /show_emails/.test(e.message),
  );
});

it('nested keys from the environment follow the key path', () => {
  const c = loadConfig({
    env: { STEWARD_COMPLIANCE_RETENTION_CODEX_LOG_DAYS: '5', STEWARD_COMPLIANCE_MAX_CONCURRENT_READS: '2' },
  });
  assert.equal(c.compliance.retention.codex_log_days, 5);
  assert.equal(c.compliance.max_concurrent_reads, 2);
  assert.equal(loadConfig({ env: { STEWARD_LOG_LEVEL: 'warn' } }).log_level, 'warn');
  assert.throws(
    () => loadConfig({ env: { STEWARD_COMPLIANCE_RETENTION_BOGUS_DAYS: '5' } }),
    (e: Error) => e instanceof ConfigError && /compliance_retention_bogus_days/.test(e.message),
  );
});

it('per-workspace GitHub webhook secrets: a table in the file, "id=secret,..." from the environment', () => {
  const toml =
    '[github]\nwebhook_secret = "g"\n[github.workspace_secrets]\n' + '"0190-a" = "sa"\n"0190-b" = "sb=with=equals"\n';
  const file = loadConfig({ configFile: tmp(toml), env: {} }).github.workspace_secrets;
  assert.deepEqual(file, { '0190-a': 'sa', '0190-b': 'sb=with=equals' });
  const env = loadConfig({ env: { STEWARD_GITHUB_WORKSPACE_SECRETS: '0190-a=sa, 0190-b=sb=x' } }).github;
  assert.deepEqual(env.workspace_secrets, { '0190-a': 'sa', '0190-b': 'sb=x' });
  assert.equal(env.webhook_secret, undefined);
  assert.deepEqual(loadConfig({ env: {} }).github.workspace_secrets, {});
  // A bad entry fails naming the key, never echoing a secret.
  assert.throws(
    () => loadConfig({ env: { STEWARD_GITHUB_WORKSPACE_SECRETS: '0190-a=sa,topsecretwithoutid' } }),
    (e: Error) =>
      e instanceof ConfigError && /github\.workspace_secrets/.test(e.message) && !/topsecret|sa\b/.test(e.message),
  );
  const empty = tmp('[github.workspace_secrets]\n"0190-a" = ""\n');
  assert.throws(
    () => loadConfig({ configFile: empty, env: {} }),
    (e: Error) => /workspace_secrets/.test(e.message),
  );
});

it('trusted checkpoint keys: public_keys as a TOML array or comma-separated from the environment', () => {
  const vars = { STEWARD_COMPLIANCE_PUBLIC_KEYS: 'MCow-old, MCow-new', STEWARD_COMPLIANCE_PUBLIC_KEY: 'MCow-one' };
  const env = loadConfig({ env: vars });
  assert.deepEqual(env.compliance.public_keys, ['MCow-old', 'MCow-new']);
  assert.equal(env.compliance.public_key, 'MCow-one');
  const file = loadConfig({ configFile: tmp('[compliance]\npublic_keys = ["a", "b"]\n'), env: {} });
  assert.deepEqual(file.compliance.public_keys, ['a', 'b']);
});

it('[accounts.oidc]: needs public_url, an https issuer (http only on loopback), role_map with role_claim', () => {
  const oidc = 'issuer = "https://login.example.com"\nclient_id = "steward"\nclient_secret = "s"\n';
  const bad = (text: string, env: Record<string, string>, key: RegExp) =>
    assert.throws(
      () => loadConfig({ configFile: tmp(text), env }),
      (e: Error) => e instanceof ConfigError && key.test(e.message),
      text,
    );
  bad(`[accounts.oidc]\n${oidc}`, {}, /public_url/);
  const withUrl = (extra: string) => `public_url = "https://steward.example.com"\n[accounts.oidc]\n${oidc}${extra}`;
  const c = loadConfig({
    configFile: tmp(withUrl('')),
    env: { STEWARD_ACCOUNTS_OIDC_CLIENT_SECRET: 'from-env', STEWARD_ACCOUNTS_OIDC_AUTO_CREATE: 'yes' },
  });
  assert.equal(c.accounts.oidc?.client_secret, 'from-env');
  assert.equal(c.accounts.oidc?.auto_create, true);
  assert.equal(c.accounts.oidc?.default_role, 'member');
  assert.equal(c.accounts.oidc?.scopes, 'openid email profile');
  const http = (host: string) =>
    'public_url = "https://s.example.com"\n[accounts.oidc]\n' +
    `issuer = "http://${host}:9000"\nclient_id = "c"\nclient_secret = "s"\n`;
  bad(http('login.example.com'), {}, /issuer/);
  assert.equal(
    loadConfig({ configFile: tmp(http('127.0.0.1')), env: {} }).accounts.oidc?.issuer,
    'http://127.0.0.1:9000',
  );
  bad(withUrl('role_claim = "groups"\n'), {}, /role_map/);
  bad(withUrl('default_role = "admin"\n'), {}, /default_role/);
  bad(withUrl('role_claim = "groups"\nrole_map = { admins = "root" }\n'), {}, /role_map/);
});

it('server.job_lease_seconds: ten minutes by default, from the file or the environment, at least a second', () => {
  assert.equal(loadConfig({ env: {} }).server.job_lease_seconds, 600);
  assert.equal(
    loadConfig({ configFile: tmp('[server]\njob_lease_seconds = 2\n'), env: {} }).server.job_lease_seconds,
    2,
  );
  assert.equal(loadConfig({ env: { STEWARD_SERVER_JOB_LEASE_SECONDS: '90' } }).server.job_lease_seconds, 90);
  for (const bad of ['[server]\njob_lease_seconds = 0\n', '[server]\njob_lease_seconds = "ten"\n'])
    assert.throws(
      () => loadConfig({ configFile: tmp(bad), env: {} }),
      (e: Error) => e instanceof ConfigError && /server\.job_lease_seconds/.test(e.message),
      bad,
    );
});

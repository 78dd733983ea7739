import assert from 'node:assert/strict';
import { it } from 'node:test';
import { applyContentPolicy, DEFAULT_CONTENT_POLICY, mergeContentPolicy, policyViolations } from './content-policy.js';
import { redactMatches, scanText } from './dlp.js';

// Fake secrets of each kind (shapes only; none is a real credential).
const SECRETS: Record<string, string> = {
  aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
  github_token: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  openai_api_key: 'sk-proj-' + 'Abc123Def456Ghi789Jkl012Mno345Pqr678Stu9',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  slack_token: 'xoxb-123456789012-abcdefghijkl',
  steward_api_key: 'stw_' + 'A'.repeat(32),
  google_api_key: 'AIza' + 'SyD'.padEnd(35, 'x'),
};

it('finds each kind of secret, with its span and a safe identifying prefix', () => {
  for (const [rule, secret] of Object.entries(SECRETS)) {
    const text = `before ${secret} after`;
    const m = scanText(text);
    assert.equal(m.length, 1, rule);
    assert.equal(m[0].rule, rule);
    assert.equal(text.slice(m[0].start, m[0].end), secret);
    assert.ok(m[0].shown.length <= 5 && secret.startsWith(m[0].shown));
  }
});

it('finds an AWS secret key by its name, a password in a URL, and a PEM private key', () => {
  const aws = 'export AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"';
  assert.deepEqual(
    scanText(aws).map((m) => [m.rule, aws.slice(m.start, m.end)]),
    [['aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']],
  );
  const url = 'psql postgres://admin:hunter2pass@db.internal:5432/app';
  assert.deepEqual(
    scanText(url).map((m) => [m.rule, url.slice(m.start, m.end)]),
    [['password_in_url', 'hunter2pass']],
  );
  assert.deepEqual(scanText('postgres://app:${DB_PASSWORD}@db/app'), []);
  const pem =
    'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\nrest';
  const m = scanText(pem);
  assert.equal(m[0].rule, 'private_key');
  assert.ok(pem.slice(m[0].start, m[0].end).endsWith('-----END OPENSSH PRIVATE KEY-----'));
});

it('leaves ordinary code and prose alone', () => {
  for (const t of [
    'run echo hi in the shell',
    'const sk = "sk-short"; // ask-me',
    'https://example.com/path?q=1',
    'git log --oneline | head',
    'AKIA is a prefix, AKIA123 too short',
    'eyJ alone',
  ])
    assert.deepEqual(scanText(t), [], t);
});

it('redacts every match and builds excerpts that contain no secret', () => {
  const text = `a ${SECRETS.aws_access_key_id} b ${SECRETS.github_token} c`;
  const r = applyContentPolicy(text, 'prompt', DEFAULT_CONTENT_POLICY);
  assert.equal(r.text, 'a [REDACTED:aws_access_key_id] b [REDACTED:github_token] c');
  assert.equal(r.findings.length, 2);
  for (const f of r.findings) {
    assert.ok(!f.excerpt.includes(SECRETS.aws_access_key_id) && !f.excerpt.includes(SECRETS.github_token), f.excerpt);
    assert.match(f.excerpt, new RegExp(`\\[REDACTED:${f.rule}\\]`));
    assert.equal(f.line, 1);
  }
  assert.equal(redactMatches('x', []), 'x');
});

it('applies store, hash and redact, with DLP redaction switchable', () => {
  const text = `key ${SECRETS.aws_access_key_id}`;
  const hash = applyContentPolicy(
    text,
    'tool_output',
    mergeContentPolicy(DEFAULT_CONTENT_POLICY, { tool_output: 'hash' }),
  );
  assert.match(hash.text!, /^sha256:[0-9a-f]{64}$/);
  assert.equal(hash.findings.length, 1);
  assert.equal(
    applyContentPolicy(text, 'tool_output', mergeContentPolicy(DEFAULT_CONTENT_POLICY, { tool_output: 'redact' })).text,
    null,
  );
  assert.equal(
    applyContentPolicy(text, 'prompt', mergeContentPolicy(DEFAULT_CONTENT_POLICY, { dlp_redact: false })).text,
    text,
  );
  assert.throws(() => mergeContentPolicy(DEFAULT_CONTENT_POLICY, { prompt: 'encrypt' }), /prompt/);
  assert.throws(() => mergeContentPolicy(DEFAULT_CONTENT_POLICY, { nope: 1 }), /nope/);
});

it('flags sandbox and approval modes the policy does not allow', () => {
  const p = mergeContentPolicy(DEFAULT_CONTENT_POLICY, {
    allowed_sandbox_policies: ['read-only', 'workspace-write'],
    allowed_approval_policies: null,
  });
  assert.deepEqual(
    policyViolations(p, { sandboxPolicy: 'danger-full-access', approvalPolicy: 'never' }).map((v) => v.rule),
    ['sandbox_policy_not_allowed'],
  );
  assert.deepEqual(policyViolations(p, { sandboxPolicy: 'read-only' }), []);
  assert.deepEqual(policyViolations(DEFAULT_CONTENT_POLICY, { sandboxPolicy: 'danger-full-access' }), []);
});

// Issue 12: the access key id was redacted, the secret key next to it was not.
it('redacts an AWS access key id and its secret key pasted in one prompt', () => {
  const id = SECRETS.aws_access_key_id;
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  for (const prompt of [
    `here are my AWS creds: ${id} / ${secret} -- why does s3 ls fail?`,
    `{"AccessKey": {"UserName": "ci", "AccessKeyId": "${id}", "Status": "Active", "SecretAccessKey": "${secret}"}}`,
    `aws configure\nAWS Access Key ID [None]: ${id}\nAWS Secret Access Key [None]: ${secret}\n`,
  ]) {
    const r = applyContentPolicy(prompt, 'prompt', DEFAULT_CONTENT_POLICY);
    assert.ok(!r.text!.includes(id) && !r.text!.includes(secret), r.text!);
    assert.ok(r.text!.includes('[REDACTED:aws_access_key_id]'), r.text!);
    assert.ok(r.findings.length >= 2);
  }
  // 40 base64 characters with no access key id nearby are not an AWS secret (commit hashes, digests).
  assert.deepEqual(scanText(`digest ${secret} of the build`), []);
});

it("finds the maintained rule set's families that the hand list lacked", () => {
  const samples = {
    'gitlab-pat': 'glpat-' + 'x7Kd9Qm2Lp4Zr8Wt1Vb6',
    'slack-webhook-url': 'https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/' + 'Qx7Kd9Qm2Lp4Zr8Wt1Vb6Nc0',
    'npm-access-token': 'npm_' + 'qx7kd9qm2lp4zr8wt1vb6nc0hj3ty5ui8op1',
    'generic-api-key': 'Qx7Kd9Qm2Lp4Zr8Wt1Vb6Nc0',
  };
  const text = Object.values(samples)
    .map((s, i) => (i === 3 ? `db_password = "${s}"` : s))
    .join('\n');
  const found = scanText(text).map((m) => [m.rule, text.slice(m.start, m.end)]);
  assert.deepEqual(found, Object.entries(samples));
});

it("applies the workspace's own dictionary on top of the rules", () => {
  const policy = mergeContentPolicy(DEFAULT_CONTENT_POLICY, { dlp_terms: ['Project Falcon', 'acme-internal.example'] });
  const text = `ship project FALCON to db.acme-internal.example with ${SECRETS.github_token}`;
  const r = applyContentPolicy(text, 'prompt', policy);
  assert.equal(r.text, 'ship [REDACTED:workspace_term] to db.[REDACTED:workspace_term] with [REDACTED:github_token]');
  assert.deepEqual(
    r.findings.map((f) => f.rule),
    ['workspace_term', 'workspace_term', 'github_token'],
  );
  // A term that is also a rule's match is named by the dictionary.
  const own = mergeContentPolicy(DEFAULT_CONTENT_POLICY, { dlp_terms: [SECRETS.aws_access_key_id] });
  assert.deepEqual(
    scanText(`k ${SECRETS.aws_access_key_id}`, own.dlp_terms).map((m) => m.rule),
    ['workspace_term'],
  );
  assert.deepEqual(DEFAULT_CONTENT_POLICY.dlp_terms, []);
  assert.throws(() => mergeContentPolicy(DEFAULT_CONTENT_POLICY, { dlp_terms: ['ab'] }), /dlp_terms/);
  assert.throws(() => mergeContentPolicy(DEFAULT_CONTENT_POLICY, { dlp_terms: 'falcon' }), /dlp_terms/);
});

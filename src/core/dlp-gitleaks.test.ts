// gitleaks' rule set as Steward loads it: the pinned JSON is the pinned TOML, every rule compiles
// in JavaScript, and a sample of each family is found by its own rule (gitleaks keeps its examples
// in Go generator code, not in the TOML, so the samples are ours).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { parse } from 'smol-toml';
import {
  compileGoRegex,
  GITLEAKS,
  KeywordIndex,
  ruleMatches,
  shannonEntropy,
  translateGoRegex,
} from './dlp-gitleaks.js';
import pinned from './dlp-rules/gitleaks.json' with { type: 'json' };

const toml = parse(fs.readFileSync(new URL('./dlp-rules/gitleaks.toml', import.meta.url), 'utf8')) as {
  rules: { regex?: string }[];
};

// Deterministic high-entropy characters (a secret-shaped filler, not a credential).
function chars(
  n: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  seed = 7,
): string {
  let s = '';
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += alphabet[(x >> 8) % alphabet.length];
  }
  return s;
}
const hex = (n: number) => chars(n, '0123456789abcdef');
const lowerAlnum = (n: number) => chars(n, 'abcdefghijklmnopqrstuvwxyz0123456789');

const SAMPLES: [rule: string, secret: string][] = [
  ['aws-access-token', 'AKIA' + chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')],
  ['github-pat', 'ghp_' + chars(36)],
  [
    'github-fine-grained-pat',
    'github_pat_' + chars(82, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'),
  ],
  ['gitlab-pat', 'glpat-' + chars(20)],
  ['slack-bot-token', 'xoxb-1234567890123-1234567890123-' + chars(24)],
  [
    'slack-webhook-url',
    'https://hooks.slack.com/services/T0' +
      chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') +
      '/B0' +
      chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') +
      '/' +
      chars(24),
  ],
  ['stripe-access-token', 'sk_test_' + chars(24)],
  ['npm-access-token', 'npm_' + lowerAlnum(36)],
  ['anthropic-api-key', 'sk-ant-api03-' + chars(93) + 'AA'],
  ['openai-api-key', 'sk-proj-' + chars(74) + 'T3BlbkFJ' + chars(74)],
  ['gcp-api-key', 'AIza' + chars(35)],
  ['digitalocean-pat', 'dop_v1_' + hex(64)],
  ['twilio-api-key', 'SK' + hex(32)],
  ['huggingface-access-token', 'hf_' + chars(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')],
  ['pypi-upload-token', 'pypi-AgEIcHlwaS5vcmc' + chars(60)],
  ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + chars(43)],
  [
    'private-key',
    '-----BEGIN RSA PRIVATE KEY-----\n' + chars(64) + '\n' + chars(64) + '\n-----END RSA PRIVATE KEY-----',
  ],
];

it('the pinned JSON is the pinned TOML (update both together: src/core/dlp-rules/README.md)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(toml)), pinned);
});

it('every rule of the text kind compiles in JavaScript', () => {
  const withRegex = toml.rules.filter((r) => r.regex);
  assert.equal(GITLEAKS.rules.length, withRegex.length);
  assert.ok(GITLEAKS.rules.length > 200);
  for (const r of GITLEAKS.rules) assert.ok(r.re.flags.includes('g') && r.re.flags.includes('d'), r.id);
  for (const r of withRegex) assert.doesNotThrow(() => compileGoRegex(r.regex!), r.regex);
});

it('translates the RE2 syntax Node 20 lacks', () => {
  assert.deepEqual(translateGoRegex('(?i)\\b(abc)(?-i:[Aa]pi)'), { source: '\\b(abc)(?:[Aa]pi)', flags: 'i' });
  assert.deepEqual(translateGoRegex('a(?s:.){0,3}b\\z'), { source: 'a[\\s\\S]{0,3}b$(?![\\s\\S])', flags: '' });
  assert.deepEqual(translateGoRegex('(?P<alg>x)[[:alnum:]]'), { source: '(?<alg>x)[A-Za-z0-9]', flags: '' });
});

it('finds a sample of each family with its own rule, the secret exactly', () => {
  for (const [id, secret] of SAMPLES) {
    const rule = GITLEAKS.rules.find((r) => r.id === id);
    assert.ok(rule, id);
    const text = `export VALUE="${secret}"\n`;
    const found = ruleMatches(rule, text, GITLEAKS.global).map((m) => text.slice(m.start, m.end));
    assert.ok(
      found.some((f) => f.includes(secret) || secret.includes(f)),
      `${id}: ${JSON.stringify(found)}`,
    );
  }
});

it('drops what gitleaks drops: low entropy, a generic key without a digit, placeholders, stopwords', () => {
  const generic = GITLEAKS.rules.find((r) => r.id === 'generic-api-key')!;
  const find = (t: string) => ruleMatches(generic, t, GITLEAKS.global).map((m) => t.slice(m.start, m.end));
  assert.deepEqual(find(`api_token = "${chars(24)}"\n`), [chars(24)]);
  assert.deepEqual(find('password = "aaaaaaaaaaaa"\n'), []); // entropy
  assert.deepEqual(find('secret = "abcdefghIJKLmnop"\n'), []); // a generic secret has a digit
  assert.deepEqual(find('API_KEY=${API_KEY_FROM_ENV}\n'), []);
  assert.deepEqual(find(`token = "abcdefghijklmnopqrstuvwxyz${hex(6)}"\n`), []); // global stopword
  assert.ok(shannonEntropy('aaaa') === 0 && shannonEntropy('ab') === 1);
});

it('the keyword index finds keywords in any case, and only those', () => {
  const ix = new KeywordIndex(['token', 'akia', 'ey', 's.']);
  assert.deepEqual(ix.hits('My TOKEN and AkIa').sort(), ['akia', 'token']);
  assert.deepEqual(ix.hits('they said.'), ['ey']);
  assert.deepEqual(ix.hits('nothing here'), []);
  assert.throws(() => new KeywordIndex(['Token']), /lower-case ASCII/);
});

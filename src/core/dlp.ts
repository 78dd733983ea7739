// Data-loss-prevention rules: secrets that must not sit in prompts, responses or tool traffic.
// Pure: scan a text, get the spans; redact them; describe a finding without repeating the secret.
// Two layers (docs/decisions/0015-dlp-rules.md): gitleaks' maintained rule set (dlp-gitleaks.ts),
// and on top Steward's own rules below (its own key format, an AWS secret key next to its key id,
// passwords in URLs), which win where both find the same span. Every rule has a cheap prefilter
// (a literal test here, gitleaks' keywords there) so that common text runs almost no regex.
import { GITLEAKS, KeywordIndex, ruleMatches, shannonEntropy, type GitleaksDlpRule } from './dlp-gitleaks.js';

export interface DlpRule {
  id: string;
  description: string;
  re: RegExp; // global
  group?: number; // the capture group that is the secret (default: the whole match); its regex has the d flag
  prefilter: (text: string) => boolean;
  shown?: number; // leading characters that identify the kind without revealing the secret (AKIA, ghp_, sk-)
  accept?: (secret: string, text: string, start: number) => boolean;
}

const has =
  (...needles: string[]) =>
  (t: string) =>
    needles.some((n) => t.includes(n));
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z2-7]{16}\b/;
const AWS_SECRET = 'AWS secret access key (named aws…secret, or next to its access key id)';
const AWS_NEAR = 300; // characters either side of the secret

export const DLP_RULES: readonly DlpRule[] = [
  {
    id: 'aws_access_key_id',
    description: 'AWS access key id',
    re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g,
    prefilter: (t) => /A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|NPA|NVA|PKA)/.test(t),
    shown: 4,
  },
  {
    id: 'aws_secret_access_key',
    description: AWS_SECRET,
    re: /aws[\w.-]{0,30}secret[\w.-]{0,20}["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    group: 1,
    prefilter: (t) => /secret/i.test(t),
  },
  {
    // Pasted next to its key id ("AKIA… / wJalr…", `"SecretAccessKey": …` in the CLI's output)
    // without an aws…secret name: 40 base64 characters of mixed case and digits within a few
    // lines of an access key id.
    id: 'aws_secret_access_key',
    description: AWS_SECRET,
    re: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    prefilter: (t) => AWS_KEY_ID.test(t),
    accept: (secret, text, start) =>
      /[a-z]/.test(secret) &&
      /[A-Z]/.test(secret) &&
      /[0-9/+]/.test(secret) &&
      shannonEntropy(secret) > 4 &&
      AWS_KEY_ID.test(text.slice(Math.max(0, start - AWS_NEAR), start + secret.length + AWS_NEAR)),
  },
  {
    id: 'github_token',
    description: 'GitHub token (classic, fine-grained, OAuth, app or refresh)',
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b/g,
    prefilter: has('gh', 'github_pat_'),
    shown: 4,
  },
  {
    id: 'openai_api_key',
    description: 'OpenAI API key',
    re: /(?<![\w-])sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}(?![\w-])/g,
    prefilter: has('sk-'),
    shown: 3,
  },
  {
    id: 'private_key',
    description: 'PEM private key',
    re: new RegExp(
      String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----` +
        String.raw`(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]{0,8192})`,
      'g',
    ),
    prefilter: has('PRIVATE KEY'),
  },
  {
    id: 'jwt',
    description: 'JSON Web Token',
    re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
    prefilter: has('eyJ'),
    shown: 3,
  },
  {
    id: 'password_in_url',
    description: 'password in a URL',
    re: /\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:/@'"]{1,128}:([^\s@/'"]{1,128})@[^\s/'"]/dg,
    group: 1,
    prefilter: has('://'),
    accept: (s) => !/^(?:\$|\{|<|%|\*+$)/.test(s),
  },
  {
    id: 'slack_token',
    description: 'Slack token',
    re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
    prefilter: has('xox'),
    shown: 5,
  },
  {
    id: 'stripe_secret_key',
    description: 'Stripe live secret or restricted key',
    re: /\b(?:sk|rk)_live_[0-9a-zA-Z]{24,}\b/g,
    prefilter: has('_live_'),
    shown: 8,
  },
  {
    id: 'google_api_key',
    description: 'Google API key',
    re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    prefilter: has('AIza'),
    shown: 4,
  },
  {
    id: 'steward_api_key',
    description: 'Steward API key',
    re: /\bstw_[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/g,
    prefilter: has('stw_'),
    shown: 4,
  },
];

export interface DlpMatch {
  rule: string;
  start: number; // offsets of the secret in the scanned text (UTF-16 code units)
  end: number;
  shown: string; // the identifying prefix that may be shown (may be empty)
}

// gitleaks' rules by keyword: a text runs only the rules whose keywords it contains.
const GITLEAKS_BY_KEYWORD = new Map<string, GitleaksDlpRule[]>();
for (const r of GITLEAKS.rules) {
  for (const k of r.keywords) GITLEAKS_BY_KEYWORD.set(k, [...(GITLEAKS_BY_KEYWORD.get(k) ?? []), r]);
}
const KEYWORDS = new KeywordIndex(GITLEAKS_BY_KEYWORD.keys());

// Every rule's id and description (Steward's own first), for findings and their records.
export const DLP_RULE_DESCRIPTIONS: ReadonlyMap<string, string> = new Map([
  ...GITLEAKS.rules.map((r) => [r.id, r.description] as const),
  ...DLP_RULES.map((r) => [r.id, r.description] as const),
  ['workspace_term', "a term of the workspace's DLP dictionary (content policy dlp_terms)"],
]);

// Which layer found a span: where two find the same one, the higher names it.
const TERM = 2;
const OWN = 1;
const GITLEAKS_LAYER = 0;
interface Found extends DlpMatch {
  layer: number;
}

export const WORKSPACE_TERM = 'workspace_term';

// The workspace's dictionary (content policy dlp_terms): each term wherever it occurs, any case.
function scanTerms(text: string, terms: readonly string[], found: Found[]): void {
  const lower = text.toLowerCase();
  // Lower-casing keeps offsets unless the text has one of the few characters it expands (İ).
  const exact = lower.length === text.length;
  for (const term of terms) {
    if (exact) {
      const t = term.toLowerCase();
      for (let at = lower.indexOf(t); at !== -1; at = lower.indexOf(t, at + t.length)) {
        found.push({ rule: WORKSPACE_TERM, start: at, end: at + t.length, shown: '', layer: TERM });
      }
      continue;
    }
    const re = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
    for (const m of text.matchAll(re)) {
      found.push({ rule: WORKSPACE_TERM, start: m.index!, end: m.index! + m[0].length, shown: '', layer: TERM });
    }
  }
}

function scanOwn(text: string, found: Found[]): void {
  for (const rule of DLP_RULES) {
    if (!rule.prefilter(text)) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
      const secret = rule.group ? m[rule.group] : m[0];
      if (secret === undefined) continue;
      const start = rule.group ? m.indices![rule.group]![0] : m.index;
      if (rule.accept && !rule.accept(secret, text, start)) continue;
      const shown = secret.slice(0, rule.shown ?? 0);
      found.push({ rule: rule.id, start, end: start + secret.length, shown, layer: OWN });
    }
  }
}

function scanGitleaks(text: string, found: Found[]): void {
  const hits = KEYWORDS.hits(text);
  if (!hits.length) return;
  const rules = new Set<GitleaksDlpRule>();
  for (const k of hits) for (const r of GITLEAKS_BY_KEYWORD.get(k)!) rules.add(r);
  for (const rule of rules) {
    for (const m of ruleMatches(rule, text, GITLEAKS.global)) {
      found.push({ rule: rule.id, ...m, shown: '', layer: GITLEAKS_LAYER });
    }
  }
}

// Every secret in `text` (and every term of the workspace's dictionary), ordered by position,
// without overlaps: the earlier, then the longer, then the higher layer (workspace terms, Steward's
// own rules, gitleaks') wins; a match reaching past the one kept extends it (no secret is left
// half shown).
export function scanText(text: string, terms: readonly string[] = []): DlpMatch[] {
  const found: Found[] = [];
  if (terms.length) scanTerms(text, terms, found);
  if (text.length >= 8) {
    scanOwn(text, found);
    scanGitleaks(text, found);
  }
  if (!found.length) return [];
  found.sort((a, b) => a.start - b.start || b.end - a.end || b.layer - a.layer);
  const out: DlpMatch[] = [];
  for (const m of found) {
    const last = out[out.length - 1];
    if (!last || m.start >= last.end) out.push({ rule: m.rule, start: m.start, end: m.end, shown: m.shown });
    else if (m.end > last.end) last.end = m.end;
  }
  return out;
}

export const redactionMarker = (rule: string) => `[REDACTED:${rule}]`;

// The text with every match replaced by its marker.
export function redactMatches(text: string, matches: readonly DlpMatch[]): string {
  if (!matches.length) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + redactionMarker(m.rule);
    at = m.end;
  }
  return out + text.slice(at);
}

// A short excerpt around match `i`, taken from the redacted text so that neither this secret nor
// any other one appears in it.
export function redactedExcerpt(text: string, matches: readonly DlpMatch[], i: number, radius = 32): string {
  let shift = 0;
  for (let k = 0; k < i; k++) shift += redactionMarker(matches[k].rule).length - (matches[k].end - matches[k].start);
  const redacted = redactMatches(text, matches);
  const start = matches[i].start + shift;
  const end = start + redactionMarker(matches[i].rule).length;
  const from = Math.max(0, start - radius);
  const to = Math.min(redacted.length, end + radius);
  return (from > 0 ? '…' : '') + redacted.slice(from, to).replace(/\s+/g, ' ') + (to < redacted.length ? '…' : '');
}

// 1-based line and column of an offset, for a finding's location.
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

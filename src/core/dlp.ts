// Data-loss-prevention rules: secrets that must not sit in prompts, responses or tool traffic.
// Pure: scan a text, get the spans; redact them; describe a finding without repeating the secret.
// Each rule has a cheap literal prefilter so that the common text (no secret) costs a few
// `includes` calls instead of a dozen regular-expression scans.

export interface DlpRule {
  id: string;
  description: string;
  re: RegExp; // global
  group?: number; // the capture group that is the secret (default: the whole match); its regex has the d flag
  prefilter: (text: string) => boolean;
  shown?: number; // leading characters that identify the kind without revealing the secret (AKIA, ghp_, sk-)
  accept?: (secret: string) => boolean;
}

const has = (...needles: string[]) => (t: string) => needles.some((n) => t.includes(n));

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
    description: 'AWS secret access key (assigned to an aws…secret name)',
    re: /aws[\w.-]{0,30}secret[\w.-]{0,20}["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    group: 1,
    prefilter: (t) => /secret/i.test(t),
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
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]{0,8192})/g,
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

// Every secret in `text`, ordered by position, without overlaps (the earlier, then longer, wins).
export function scanText(text: string): DlpMatch[] {
  if (text.length < 8) return [];
  let found: DlpMatch[] | undefined;
  for (const rule of DLP_RULES) {
    if (!rule.prefilter(text)) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
      const secret = rule.group ? m[rule.group] : m[0];
      if (secret === undefined || (rule.accept && !rule.accept(secret))) continue;
      const start = rule.group ? m.indices![rule.group]![0] : m.index;
      (found ??= []).push({ rule: rule.id, start, end: start + secret.length, shown: secret.slice(0, rule.shown ?? 0) });
    }
  }
  if (!found) return [];
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: DlpMatch[] = [];
  for (const m of found) if (!out.length || m.start >= out[out.length - 1].end) out.push(m);
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

// gitleaks' default rule set (src/core/dlp-rules/, pinned, MIT) compiled for JavaScript: the
// regexes are Go RE2, translated here; keywords become the cheap prefilter, entropy and the
// allowlists (stopwords, regexes on the secret, match or line) drop findings as gitleaks does.
// Pure. Decision: docs/decisions/0015-dlp-rules.md.
import config from './dlp-rules/gitleaks.json' with { type: 'json' };

interface GitleaksAllowlist {
  condition?: string; // OR (default) or AND of the criteria given
  regexTarget?: string; // secret (default), match or line
  regexes?: string[];
  stopwords?: string[];
  paths?: string[];
}
interface GitleaksRule {
  id: string;
  description?: string;
  regex?: string;
  secretGroup?: number;
  entropy?: number;
  keywords?: string[];
  path?: string;
  allowlists?: GitleaksAllowlist[];
}
export interface GitleaksConfig {
  allowlist?: GitleaksAllowlist;
  rules: GitleaksRule[];
}

export interface CompiledAllowlist {
  and: boolean;
  target: 'secret' | 'match' | 'line';
  regexes: RegExp[];
  stopwords: string[]; // lower case
}
export interface GitleaksDlpRule {
  id: string;
  description: string;
  re: RegExp; // global, with indices
  // gitleaks' "[\w.-]{0,50}?" before the keyword, left out of `re` (a leading class defeats the
  // regex engine's literal search: 3x slower on common text) and put back as the match's start.
  identifierBefore: number;
  secretGroup?: number;
  entropy?: number;
  keywords: string[]; // lower case; none: always run
  allowlists: CompiledAllowlist[];
}

// RE2 syntax JavaScript (Node 20) lacks, rewritten. Inline flag groups cannot be scoped in Node
// 20: a pattern with (?i) anywhere is compiled case-insensitive as a whole, and (?-i:…) becomes
// case-insensitive too (a DLP rule then matches a little more, never less).
export function translateGoRegex(src: string): { source: string; flags: string } {
  let flags = '';
  let s = src;
  if (/\(\?i[:)]/.test(s)) flags += 'i';
  s = s.replace(/\(\?i\)/g, '').replace(/\(\?-?i:/g, '(?:');
  s = s.replace(/\(\?s:\.\)/g, '[\\s\\S]').replace(/\(\?s:/g, '(?:');
  s = s.replace(/\(\?P</g, '(?<');
  s = s.replace(/\\z/g, '$(?![\\s\\S])');
  const posix: Record<string, string> = {
    alnum: 'A-Za-z0-9',
    alpha: 'A-Za-z',
    digit: '0-9',
    xdigit: '0-9A-Fa-f',
    upper: 'A-Z',
    lower: 'a-z',
    space: '\\s',
    word: '\\w',
  };
  s = s.replace(/\[:([a-z]+):\]/g, (m, name: string) => posix[name] ?? m);
  return { source: s, flags };
}

export function compileGoRegex(src: string, extraFlags = ''): RegExp {
  const { source, flags } = translateGoRegex(src);
  return new RegExp(source, flags + extraFlags);
}

// Shannon entropy in bits per character, as gitleaks computes it for its `entropy` threshold.
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const k of counts.values()) h -= (k / n) * Math.log2(k / n);
  return h;
}

function compileAllowlist(a: GitleaksAllowlist): CompiledAllowlist | null {
  const and = (a.condition ?? 'OR').toUpperCase() === 'AND';
  // Prompts and tool output have no file path: a path criterion never holds here.
  if (a.paths?.length && (and || (!a.regexes?.length && !a.stopwords?.length))) return null;
  const target = a.regexTarget === 'match' || a.regexTarget === 'line' ? a.regexTarget : 'secret';
  const regexes = (a.regexes ?? []).map((r) => compileGoRegex(r));
  const stopwords = (a.stopwords ?? []).map((w) => w.toLowerCase());
  return { and, target, regexes, stopwords };
}

const IDENTIFIER_BEFORE = '(?i)[\\w.-]{0,50}?';

// Where gitleaks' match would start: a lazy "[\w.-]{0,50}?" first matches at the leftmost start,
// so it takes every identifier character before the keyword (up to 50, not into the previous match).
export function matchStart(rule: GitleaksDlpRule, text: string, index: number, floor: number): number {
  let start = index;
  const min = Math.max(floor, index - rule.identifierBefore);
  while (start > min && /[\w.-]/.test(text[start - 1])) start--;
  return start;
}

export function compileGitleaks(c: GitleaksConfig): { rules: GitleaksDlpRule[]; global: CompiledAllowlist | null } {
  const rules: GitleaksDlpRule[] = [];
  for (const r of c.rules) {
    if (!r.regex) continue; // file-path rules (a .p12 file) say nothing about text
    const lead = r.regex.startsWith(IDENTIFIER_BEFORE);
    rules.push({
      id: r.id,
      description: r.description ?? r.id,
      re: compileGoRegex(lead ? `(?i)${r.regex.slice(IDENTIFIER_BEFORE.length)}` : r.regex, 'gd'),
      identifierBefore: lead ? 50 : 0,
      secretGroup: r.secretGroup,
      entropy: r.entropy,
      keywords: (r.keywords ?? []).map((k) => k.toLowerCase()),
      allowlists: (r.allowlists ?? []).map(compileAllowlist).filter((a): a is CompiledAllowlist => a !== null),
    });
  }
  return { rules, global: c.allowlist ? compileAllowlist(c.allowlist) : null };
}

const lineAround = (text: string, start: number, end: number) =>
  text.slice(
    text.lastIndexOf('\n', start - 1) + 1,
    text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end),
  );

// Whether an allowlist excuses a finding (secret, the whole match and where it sits in the text).
export function allowed(a: CompiledAllowlist, secret: string, match: string, text: string, start: number): boolean {
  const checks: boolean[] = [];
  if (a.regexes.length) {
    const target =
      a.target === 'secret' ? secret : a.target === 'match' ? match : lineAround(text, start, start + match.length);
    checks.push(a.regexes.some((re) => re.test(target)));
  }
  if (a.stopwords.length) {
    const lower = secret.toLowerCase();
    checks.push(a.stopwords.some((w) => lower.includes(w)));
  }
  return checks.length > 0 && (a.and ? checks.every(Boolean) : checks.some(Boolean));
}

// The secret of a match: the rule's secretGroup, else the first group that matched, else the
// whole match (gitleaks' choice), with its offset.
export function secretOf(rule: GitleaksDlpRule, m: RegExpExecArray): { secret: string; start: number } | null {
  const groups = rule.secretGroup
    ? [rule.secretGroup]
    : m.length > 1
      ? [...Array(m.length - 1).keys()].map((i) => i + 1)
      : [];
  for (const g of groups) {
    if (m[g] !== undefined && m[g] !== '') return { secret: m[g], start: m.indices![g]![0] };
  }
  if (rule.secretGroup) return null;
  return { secret: m[0], start: m.index };
}

// The secrets one rule finds in a text, as gitleaks decides: the rule's entropy floor (and a digit
// for its generic rules), then the global and the rule's allowlists.
export function ruleMatches(
  rule: GitleaksDlpRule,
  text: string,
  global: CompiledAllowlist | null,
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  rule.re.lastIndex = 0;
  let floor = 0;
  for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
    if (m[0] === '') rule.re.lastIndex++;
    const start = matchStart(rule, text, m.index, floor);
    floor = m.index + m[0].length;
    const s = secretOf(rule, m);
    if (!s) continue;
    if (
      rule.entropy &&
      (shannonEntropy(s.secret) <= rule.entropy || (rule.id.startsWith('generic') && !/\d/.test(s.secret)))
    )
      continue;
    const match = text.slice(start, floor);
    if (global && allowed(global, s.secret, match, text, start)) continue;
    if (rule.allowlists.some((a) => allowed(a, s.secret, match, text, start))) continue;
    out.push({ start: s.start, end: s.start + s.secret.length });
  }
  return out;
}

export const GITLEAKS = Object.freeze(compileGitleaks(config as GitleaksConfig));
// The pinned rules: gitleaks v8.30.0-27-gb58d3f10 (config/gitleaks.toml); see dlp-rules/README.md.

// Which keywords occur in a text (case-insensitively, as gitleaks looks), in one pass and without
// lower-casing it: keywords of three or more characters are bucketed by a hash of their first three
// (ASCII, as all of gitleaks' are, folded with | 0x20), so common text costs a table read per
// character instead of one search per keyword (gitleaks has ~250); the few two-character ones are
// one regex.
export class KeywordIndex {
  private readonly table = new Int16Array(1 << 16).fill(-1);
  private readonly lists: string[][] = [];
  private readonly short: RegExp | null;
  constructor(keywords: Iterable<string>) {
    const short: string[] = [];
    for (const k of new Set(keywords)) {
      if (/[^\x00-\x7f]/.test(k) || k !== k.toLowerCase() || !k)
        throw new Error(`DLP keyword "${k}" is not lower-case ASCII`);
      if (k.length < 3) {
        short.push(k);
        continue;
      }
      const at = tri(k.charCodeAt(0), k.charCodeAt(1), k.charCodeAt(2));
      if (this.table[at] === -1) this.table[at] = this.lists.push([]) - 1;
      this.lists[this.table[at]].push(k);
    }
    this.short = short.length
      ? new RegExp(short.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi')
      : null;
  }

  // The keywords found (lower case).
  hits(text: string): string[] {
    const out: string[] = [];
    if (this.short) {
      this.short.lastIndex = 0;
      for (let m = this.short.exec(text); m; m = this.short.exec(text)) {
        const k = m[0].toLowerCase();
        if (!out.includes(k)) out.push(k);
      }
    }
    const table = this.table;
    let a = text.charCodeAt(0);
    let b = text.charCodeAt(1);
    for (let i = 0; i + 2 < text.length; i++) {
      const c = text.charCodeAt(i + 2);
      const at = table[tri(a, b, c)];
      if (at !== -1) {
        for (const k of this.lists[at])
          if (!out.includes(k) && text.slice(i, i + k.length).toLowerCase() === k) out.push(k);
      }
      a = b;
      b = c;
    }
    return out;
  }
}
const tri = (a: number, b: number, c: number) => (((a | 32) << 10) ^ ((b | 32) << 5) ^ (c | 32)) & 0xffff;

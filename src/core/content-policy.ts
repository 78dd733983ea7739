// A workspace's content policy: what happens to prompt text, responses, tool arguments and tool
// output at ingest (store | hash | redact), whether DLP matches are redacted in stored content, and
// which Codex sandbox and approval modes the workspace allows. Pure; stored in workspace settings.
import { validationError } from './errors.js';
import { lineColumn, redactedExcerpt, redactMatches, scanText } from './dlp.js';
import { sha256hex } from './compliance.js';

export const CONTENT_FIELDS = ['prompt', 'response', 'tool_arguments', 'tool_output'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];
export const CONTENT_MODES = ['store', 'hash', 'redact'] as const;
export type ContentMode = (typeof CONTENT_MODES)[number];

export interface ContentPolicy {
  prompt: ContentMode;
  response: ContentMode;
  tool_arguments: ContentMode;
  tool_output: ContentMode;
  dlp_redact: boolean; // replace DLP matches by [REDACTED:rule] in stored content (mode store)
  // The workspace's own dictionary: terms found (case-insensitively) on top of the DLP rules, as
  // [REDACTED:workspace_term] (project code names, customer names, internal hosts).
  dlp_terms: string[];
  allowed_sandbox_policies: string[] | null; // null: any
  allowed_approval_policies: string[] | null;
}

export const DEFAULT_CONTENT_POLICY: Readonly<ContentPolicy> = Object.freeze({
  prompt: 'store',
  response: 'store',
  tool_arguments: 'store',
  tool_output: 'store',
  dlp_redact: true,
  dlp_terms: [],
  allowed_sandbox_policies: null,
  allowed_approval_policies: null,
});

const stringList = (v: unknown, key: string): string[] | null => {
  if (v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x))
    throw validationError(key, 'must be null (any) or a list of non-empty strings', 'body', 'type_error.list');
  return [...new Set(v as string[])];
};

const MAX_TERMS = 500;
const termList = (v: unknown): string[] => {
  const msg = `must be a list of at most ${MAX_TERMS} terms of 3 to 200 characters`;
  const bad = () => validationError('dlp_terms', msg, 'body', 'type_error.list');
  if (!Array.isArray(v) || v.length > MAX_TERMS) throw bad();
  const terms = v.map((x) => (typeof x === 'string' ? x.trim() : ''));
  if (terms.some((t) => t.length < 3 || t.length > 200)) throw bad();
  return [...new Set(terms)];
};

// Applies a patch to a policy; unknown keys and bad values are 422s naming the key.
export function mergeContentPolicy(base: ContentPolicy, patch: unknown): ContentPolicy {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw validationError('policy', 'must be a JSON object', 'body', 'type_error.dict');
  const out: ContentPolicy = { ...base };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if ((CONTENT_FIELDS as readonly string[]).includes(k)) {
      if (!(CONTENT_MODES as readonly unknown[]).includes(v))
        throw validationError(k, `must be one of ${CONTENT_MODES.join(', ')}`, 'body', 'value_error.enum');
      out[k as ContentField] = v as ContentMode;
    } else if (k === 'dlp_redact') {
      if (typeof v !== 'boolean') throw validationError(k, 'must be true or false', 'body', 'type_error.bool');
      out.dlp_redact = v;
    } else if (k === 'dlp_terms') {
      out.dlp_terms = termList(v);
    } else if (k === 'allowed_sandbox_policies' || k === 'allowed_approval_policies') {
      out[k] = stringList(v, k);
    } else {
      throw validationError(k, 'unknown policy key', 'body', 'value_error.extra');
    }
  }
  return out;
}

// The policy stored in a workspace's settings JSON (missing or partial: defaults fill in).
export function policyFromSettings(settingsJson: string | null | undefined): ContentPolicy {
  if (!settingsJson) return { ...DEFAULT_CONTENT_POLICY };
  try {
    const s = JSON.parse(settingsJson) as { compliance?: unknown };
    return s.compliance ? mergeContentPolicy(DEFAULT_CONTENT_POLICY, s.compliance) : { ...DEFAULT_CONTENT_POLICY };
  } catch {
    return { ...DEFAULT_CONTENT_POLICY };
  }
}

// Where a finding was: a policy field, or the attributes of a Codex event that is not a fact.
export type DlpField = ContentField | 'event_attributes';

export interface ContentFinding {
  field: DlpField;
  path?: string; // inside a structured value (event_attributes): the attribute, e.g. "rationale"
  rule: string;
  start: number;
  end: number;
  line: number;
  column: number;
  excerpt: string; // redacted context
  shown: string; // identifying prefix (e.g. "AKIA"), never the secret
  length: number;
}

export interface AppliedContent {
  text: string | null; // what is stored
  mode: ContentMode;
  length: number; // of the original text
  findings: ContentFinding[];
}

// DLP-scans a text and applies the field's mode: store (DLP matches redacted unless dlp_redact is
// off), hash ("sha256:<hex>" of the original), redact (nothing stored).
export function applyContentPolicy(text: string, field: ContentField, policy: ContentPolicy): AppliedContent {
  const matches = scanText(text, policy.dlp_terms);
  const findings: ContentFinding[] = matches.map((m, i) => ({
    field,
    rule: m.rule,
    start: m.start,
    end: m.end,
    ...lineColumn(text, m.start),
    excerpt: redactedExcerpt(text, matches, i),
    shown: m.shown,
    length: m.end - m.start,
  }));
  const mode = policy[field];
  const stored =
    mode === 'redact'
      ? null
      : mode === 'hash'
        ? `sha256:${sha256hex(text)}`
        : policy.dlp_redact
          ? redactMatches(text, matches)
          : text;
  return { text: stored, mode, length: text.length, findings };
}

// Session-mode findings: a sandbox or approval mode the policy does not allow.
export function policyViolations(
  policy: ContentPolicy,
  session: { sandboxPolicy?: string; approvalPolicy?: string },
): { rule: string; value: string; allowed: string[] }[] {
  const out: { rule: string; value: string; allowed: string[] }[] = [];
  if (
    policy.allowed_sandbox_policies &&
    session.sandboxPolicy &&
    !policy.allowed_sandbox_policies.includes(session.sandboxPolicy)
  ) {
    out.push({
      rule: 'sandbox_policy_not_allowed',
      value: session.sandboxPolicy,
      allowed: policy.allowed_sandbox_policies,
    });
  }
  if (
    policy.allowed_approval_policies &&
    session.approvalPolicy &&
    !policy.allowed_approval_policies.includes(session.approvalPolicy)
  ) {
    out.push({
      rule: 'approval_policy_not_allowed',
      value: session.approvalPolicy,
      allowed: policy.allowed_approval_policies,
    });
  }
  return out;
}

/**
 * applyContentPolicy with a memory, for one batch: a session file states the same text twice or
 * three times (a tool call's output in its content item and in its tool fact, an answer as the
 * assistant message, the response's text and the turn's last message), and DLP is the costly part
 * of applying the policy. Bounded by the characters it keeps; clear() between batches.
 */
export class ContentApplier {
  private memo = new Map<ContentField, Map<string, AppliedContent>>();
  private chars = 0;
  constructor(
    readonly policy: ContentPolicy,
    private readonly maxChars = 64 * 1024 * 1024,
  ) {}

  apply(text: string, field: ContentField): AppliedContent {
    let byText = this.memo.get(field);
    const hit = byText?.get(text);
    if (hit) return hit;
    const r = applyContentPolicy(text, field, this.policy);
    if (this.chars + text.length <= this.maxChars) {
      if (!byText) this.memo.set(field, (byText = new Map()));
      byText.set(text, r);
      this.chars += text.length;
    }
    return r;
  }

  /** Whether this memory may stand in for `policy` (ingest reads the policy again per batch). */
  appliesTo(policy: ContentPolicy): boolean {
    return policy === this.policy || JSON.stringify(policy) === JSON.stringify(this.policy);
  }

  clear(): void {
    this.memo.clear();
    this.chars = 0;
  }
}

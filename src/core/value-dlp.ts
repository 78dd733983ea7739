// DLP over structured values: the attributes of Codex events that are not facts (a guardian
// assessment's rationale, an unknown event's attributes) and the payload of a session-file line of
// an unknown type. They carry no text field of the content policy (prompt, response, tool
// arguments and output), so no store/hash/redact mode applies to them; the DLP rules and the
// workspace's dictionary do, as for prompts: every string found is scanned, matches are redacted
// unless dlp_redact is off, and each is a finding naming where it was (decisions/0032).
import type { ContentFinding, ContentPolicy } from './content-policy.js';
import { lineColumn, redactedExcerpt, redactMatches, scanText } from './dlp.js';

// Values come from the source already bounded (core/bounds.ts); nesting deeper than this is kept
// as it came rather than walked without end.
const MAX_DEPTH = 16;

export interface ValueDlp<T> {
  value: T; // the input itself when nothing was redacted
  length: number; // characters scanned
  findings: ContentFinding[];
}

/** Scans every string inside `value` (object keys excepted); `path` names each finding's place. */
export function dlpValue<T>(value: T, policy: ContentPolicy, field: ContentFinding['field']): ValueDlp<T> {
  const out: ValueDlp<T> = { value, length: 0, findings: [] };
  out.value = walk(value, '', 0, policy, field, out) as T;
  return out;
}

function walk(
  v: unknown,
  path: string,
  depth: number,
  policy: ContentPolicy,
  field: ContentFinding['field'],
  acc: ValueDlp<unknown>,
): unknown {
  if (typeof v === 'string') {
    acc.length += v.length;
    const matches = scanText(v, policy.dlp_terms);
    if (!matches.length) return v;
    matches.forEach((m, i) =>
      acc.findings.push({
        field,
        path,
        rule: m.rule,
        start: m.start,
        end: m.end,
        ...lineColumn(v, m.start),
        excerpt: redactedExcerpt(v, matches, i),
        shown: m.shown,
        length: m.end - m.start,
      }),
    );
    return policy.dlp_redact ? redactMatches(v, matches) : v;
  }
  if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    v.forEach((x, i) => {
      const y = walk(x, `${path}[${i}]`, depth + 1, policy, field, acc);
      if (y !== x) (copy ??= [...v])[i] = y;
    });
    return copy ?? v;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const y = walk(x, path ? `${path}.${k}` : k, depth + 1, policy, field, acc);
    if (y === x) continue;
    copy ??= { ...v };
    // A key "__proto__" (JSON.parse makes it an own property) must stay one, not set a prototype.
    Object.defineProperty(copy, k, { value: y, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? v;
}

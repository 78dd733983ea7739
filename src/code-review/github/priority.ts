// A Codex Code Review finding's priority, read from its comment body. Codex renders a badge
// (`**<sub><sub>![P1 Badge](https://img.shields.io/badge/P1-orange?style=flat)</sub></sub>  Title**`);
// the review prompt makes every finding title start with `[P0]`..`[P3]`. Either is accepted; a body
// with neither is unprioritized (null).
import type { Priority } from '../../core/code-review.js';

const PATTERNS = [
  /!\[\s*P([0-3])\s+Badge\s*\]/i, // the badge's alt text
  /\bP([0-3]) Badge\b/i,
  /badge\/P([0-3])-/i, // the badge image URL
  /^(?:\s|[>*_#]|<\/?[a-z]+>)*\[P([0-3])\]/im, // a title prefix, possibly inside bold/heading/<sub> markup
];

export function priorityFromBody(body: string | null | undefined): Priority | null {
  if (!body) return null;
  let best: { at: number; p: Priority } | null = null;
  for (const re of PATTERNS) {
    const m = re.exec(body);
    if (m && (best === null || m.index < best.at)) best = { at: m.index, p: Number(m[1]) as Priority };
  }
  return best ? best.p : null;
}

// Accepts 0..3, "0".."3", "P0".."P3" (any case); anything else is unprioritized.
export function priorityFromValue(v: unknown): Priority | null {
  if (v === null || v === undefined) return null;
  const m = /^p?([0-3])$/i.exec(String(v).trim());
  return m ? (Number(m[1]) as Priority) : null;
}

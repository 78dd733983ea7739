// What a plausible value is, for every field a source hands to storage (decisions/0012). Sources
// check their records against these once, at their boundary, and turn a failure into a Drop with
// the message returned here; nothing past a source sees an unbounded value.

/** No single model response uses more tokens than this in any one count (decisions/0012). */
export const MAX_TOKENS_PER_RESPONSE = 100_000_000;
/** pricing.credits_per_usd at most (config/schema.ts): keeps one response's credits below 2^53. */
export const MAX_CREDITS_PER_USD = 1000;
/** Ids (conversation, call, response, turn) and labels (model, originator, tool name, …). */
export const MAX_ID_CHARS = 256;
/** prompt_length, duration_ms: stored in 32-bit integer columns on PostgreSQL. */
export const MAX_INT32 = 2_147_483_647;
/** Accepted event times, epoch ms: Codex did not exist before 2015; 2100 leaves room for skewed clocks. */
export const MIN_EVENT_MS = Date.UTC(2015, 0, 1);
export const MAX_EVENT_MS = Date.UTC(2100, 0, 1);
/** OTLP AnyValue nesting (arrays and kvlists); deeper is a rejected record, never a stack overflow. */
export const MAX_ANY_VALUE_DEPTH = 32;
/**
 * Rollup counters saturate here (below 2^63 - 1, and exactly representable as a double): a bucket
 * pushed this far by abusive input stays readable and writable instead of failing every later
 * batch with "bigint out of range" (decisions/0012 shows real volume cannot get near it).
 */
export const ROLLUP_COUNTER_MAX = 9_000_000_000_000_000_000;

// C0 controls (NUL included) and DEL: PostgreSQL text cannot hold NUL, and none belongs in an id.
const CONTROL = /[\u0000-\u001f\u007f]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` is not a valid id or label, or undefined when it is. */
export function idProblem(field: string, s: string): string | undefined {
  if (s.length > MAX_ID_CHARS) return `${field} is ${s.length} characters long; at most ${MAX_ID_CHARS} are accepted`;
  if (CONTROL.test(s)) return `${field} contains a control character (e.g. NUL)`;
  if (LONE_SURROGATE.test(s)) return `${field} contains a lone surrogate (not valid Unicode)`;
  return undefined;
}

/** Why `n` is not a plausible token count of one response, or undefined when it is. */
export function tokenProblem(field: string, n: number): string | undefined {
  if (!Number.isSafeInteger(n) || n < 0) return `${field} ${n} is not a non-negative integer`;
  if (n > MAX_TOKENS_PER_RESPONSE)
    return `${field} ${n} is above the plausible maximum of ${MAX_TOKENS_PER_RESPONSE} tokens per response`;
  return undefined;
}

/** Why `ms` is not an accepted event time, or undefined when it is. */
export function timeProblem(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < MIN_EVENT_MS || ms >= MAX_EVENT_MS)
    return `event time ${ms} ms is outside the accepted range 2015-01-01 to 2100-01-01`;
  return undefined;
}

/** a + b for counters, saturating at ROLLUP_COUNTER_MAX (exact while both are safe integers). */
export function addCounter(a: number, b: number): number {
  const s = a + b;
  return s > ROLLUP_COUNTER_MAX ? ROLLUP_COUNTER_MAX : s;
}

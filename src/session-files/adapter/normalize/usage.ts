// Token usage, timestamps, versions and durations as the rollout writes them, in the units the
// parser adds up. Pure.
import { timeProblem, tokenProblem } from '../../../core/bounds.js';
import { type RawTokenUsage } from '../schema.js';
import type { UsageTotals } from '../types.js';
import { isObj } from './facts.js';

export function parseTs(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const ms = Date.parse(s);
  // A time outside core/bounds.ts (1900, 9999) is no time: the line takes the last good one.
  return Number.isFinite(ms) && timeProblem(ms) === undefined ? ms : undefined;
}

const nz = (n: number | undefined): number =>
  typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0;

/**
 * A TokenUsage object -> numbers; `cache_read_input_tokens` is the older name of cached, total
 * defaults to input + output.
 */
export function toUsage(u: RawTokenUsage | null | undefined): UsageTotals | undefined {
  if (!u) return undefined;
  const fields = [
    u.input_tokens,
    u.cached_input_tokens,
    u.cache_read_input_tokens,
    u.output_tokens,
    u.reasoning_output_tokens,
    u.total_tokens,
  ];
  if (!fields.some((x) => typeof x === 'number')) return undefined;
  const input = nz(u.input_tokens);
  const output = nz(u.output_tokens);
  const total = nz(u.total_tokens);
  return {
    input,
    cached: nz(u.cached_input_tokens ?? u.cache_read_input_tokens),
    output,
    reasoning: nz(u.reasoning_output_tokens),
    cacheWrite: nz(u.cache_write_input_tokens ?? u.cache_creation_input_tokens),
    total: total > 0 ? total : input + output,
  };
}

/** TokenUsage's count fields (all numbers). */
export const USAGE_FIELDS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'cache_creation_input_tokens',
  'output_tokens',
  'reasoning_output_tokens',
  'total_tokens',
] as const;

/**
 * Why a TokenUsage cannot be counted, or undefined: every count must be a non-negative integer,
 * and one response's (not a running total's) at most MAX_TOKENS_PER_RESPONSE (decisions/0012).
 * `1e300` or `1.5` used to be rounded and stored.
 */
export function usageProblem(u: RawTokenUsage | null | undefined, perResponse: boolean): string | undefined {
  if (!u) return undefined;
  for (const k of USAGE_FIELDS) {
    const n = u[k];
    if (n === undefined) continue;
    if (!Number.isSafeInteger(n) || n < 0) return `${k} ${n} is not a non-negative integer`;
    // total_tokens is recomputed as input + output; input and output carry the bound.
    if (perResponse && k !== 'total_tokens') {
      const p = tokenProblem(k, n);
      if (p) return p;
    }
  }
  return undefined;
}

export const ZERO_USAGE: UsageTotals = { input: 0, cached: 0, output: 0, reasoning: 0, cacheWrite: 0, total: 0 };

export function usageEquals(a: UsageTotals, b: UsageTotals): boolean {
  return (
    a.input === b.input &&
    a.cached === b.cached &&
    a.output === b.output &&
    a.reasoning === b.reasoning &&
    a.total === b.total
  );
}

export function usageDelta(cur: UsageTotals, prev: UsageTotals | undefined): UsageTotals {
  const p = prev ?? ZERO_USAGE;
  const d = (a: number, b: number) => Math.max(a - b, 0);
  const input = d(cur.input, p.input);
  const output = d(cur.output, p.output);
  return {
    input,
    cached: d(cur.cached, p.cached),
    output,
    reasoning: d(cur.reasoning, p.reasoning),
    cacheWrite: d(cur.cacheWrite, p.cacheWrite),
    total: input + output,
  };
}

/** All-zero counts (the total_tokens of the post-compaction estimate does not count). */
export const isZeroUsage = (u: UsageTotals) => u.input === 0 && u.cached === 0 && u.output === 0 && u.reasoning === 0;

/** Cached is capped at input (input includes cached); total is recomputed as input + output. */
export function capUsage(u: UsageTotals): UsageTotals {
  return { ...u, cached: Math.min(u.cached, u.input), total: u.input + u.output };
}

/** Semver-ish compare of `0.169.0`-style versions; NaN parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `{secs, nanos}` (serde Duration), a number of `unit`, or a "1.5s"/"250ms" string -> ms. */
export function durationToMs(d: unknown, unit: 's' | 'ms' = 's'): number | undefined {
  if (typeof d === 'number' && Number.isFinite(d) && d >= 0) return Math.round(unit === 's' ? d * 1000 : d);
  if (isObj(d) && (typeof d.secs === 'number' || typeof d.nanos === 'number')) {
    return Math.round((Number(d.secs) || 0) * 1000 + (Number(d.nanos) || 0) / 1e6);
  }
  if (typeof d === 'string') {
    const m = /^\s*([\d.]+)\s*(ms|s)?\s*$/.exec(d);
    if (m) return durationToMs(Number(m[1]), m[2] === 'ms' ? 'ms' : unit);
  }
  return undefined;
}

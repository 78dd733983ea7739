import { MAX_CREDITS_PER_USD, MAX_TOKENS_PER_RESPONSE } from './bounds.js';

// Versioned rate card. Prices are USD per million tokens; internally cost is held as integer
// nano-dollars (1e-9 USD) so that sums are exact on both databases: any price with up to three
// decimals per million tokens is a whole number of nano-dollars per token.
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
  // Long-context tier: a request whose input exceeds `aboveInputTokens` is priced entirely at
  // `inputMultiplier` x (input and cached input) and `outputMultiplier` x (output). OpenAI's
  // published rule for gpt-5.4 and gpt-5.5 (prompts over 272K tokens); LiteLLM and so ccusage
  // apply it the same way (docs/decisions/0006-session-files.md).
  longContext?: { aboveInputTokens: number; inputMultiplier: number; outputMultiplier: number };
}

export const PRICING_VERSION = '2026-11-22';
const LONG_272K = { aboveInputTokens: 272_000, inputMultiplier: 2, outputMultiplier: 1.5 };

// Keys are matched exactly first, then by longest prefix (dated snapshots such as gpt-5-2025-08-07).
export const PRICES: Record<string, ModelPrice> = {
  'gpt-5.5': { input: 5, cachedInput: 0.5, output: 30, longContext: LONG_272K },
  'gpt-5.4': { input: 2.5, cachedInput: 0.25, output: 15, longContext: LONG_272K },
  'gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5 },
  'gpt-5.4-nano': { input: 0.2, cachedInput: 0.02, output: 1.25 },
  'gpt-5.3-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-max': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'codex-mini-latest': { input: 1.5, cachedInput: 0.375, output: 6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
};

// Unknown models are priced as this model and flagged, matching the community tool ccusage,
// which assumes gpt-5 when a session names no model.
export const FALLBACK_MODEL = 'gpt-5';

export interface TokenCounts {
  input: number; // includes cached
  cached: number;
  output: number; // includes reasoning
  reasoning: number;
}

export interface Priced {
  costNanoUsd: number;
  creditsNano: number;
  pricedModel: string;
  fallback: boolean;
  pricingVersion: string;
}

type Lookup = { price: ModelPrice; model: string; fallback: boolean };
const cache = new Map<string, Lookup>();

// Memoized: model names are few, and this runs for every priced response and every API row.
export function lookupPrice(model: string | null | undefined): Lookup {
  const raw = model ?? '';
  let hit = cache.get(raw);
  if (!hit) {
    hit = resolvePrice(raw);
    if (cache.size < 10_000) cache.set(raw, hit);
  }
  return hit;
}

function resolvePrice(model: string): Lookup {
  const m = model.trim().toLowerCase();
  if (m && PRICES[m]) return { price: PRICES[m], model: m, fallback: false };
  if (m) {
    let best: string | undefined;
    for (const key of Object.keys(PRICES)) {
      if (m.startsWith(key + '-') && (!best || key.length > best.length)) best = key;
    }
    if (best) return { price: PRICES[best], model: best, fallback: false };
  }
  return { price: PRICES[FALLBACK_MODEL], model: FALLBACK_MODEL, fallback: true };
}

export function isKnownModel(model: string | null | undefined): boolean {
  return !lookupPrice(model).fallback;
}

const perTokenNano = (usdPerMillion: number) => Math.round(usdPerMillion * 1000);

// Exact by construction (decisions/0012): every count is an integer <= MAX_TOKENS_PER_RESPONSE and
// every per-token price (long-context multipliers included) <= MAX_NANO_PER_TOKEN, so the cost and
// the credits of one response (input + output tokens, at most MAX_CREDITS_PER_USD per USD) stay
// integers below 2^53 that doubles hold exactly; this is checked here once, for the rate card.
// Credits are computed in BigInt and rounded half up, which a double product is not (180 nano-USD
// x 2.675 = 481.49999999999994). A count out of range is a bug of the source that let it through:
// priceUsage throws rather than store a wrong amount.
const perTokenPrices = (p: ModelPrice) => [
  perTokenNano(p.input * (p.longContext?.inputMultiplier ?? 1)),
  perTokenNano(p.cachedInput * (p.longContext?.inputMultiplier ?? 1)),
  perTokenNano(p.output * (p.longContext?.outputMultiplier ?? 1)),
];
const MAX_NANO_PER_TOKEN = Math.max(...Object.values(PRICES).flatMap(perTokenPrices));
if (2 * MAX_TOKENS_PER_RESPONSE * MAX_NANO_PER_TOKEN * MAX_CREDITS_PER_USD > Number.MAX_SAFE_INTEGER) {
  throw new Error(`rate card: ${MAX_NANO_PER_TOKEN} nano-USD per token lets one response's credits reach 2^53`);
}

function checkedCount(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TOKENS_PER_RESPONSE)
    throw new RangeError(`priceUsage: ${name} ${n} is not an integer in 0..${MAX_TOKENS_PER_RESPONSE}`);
  return n;
}

export function priceUsage(model: string | null | undefined, t: TokenCounts, creditsPerUsd: number): Priced {
  const { price, model: pricedModel, fallback } = lookupPrice(model);
  const input = checkedCount('input', t.input);
  const output = checkedCount('output', t.output);
  const cached = Math.min(checkedCount('cached', t.cached), input);
  if (!(creditsPerUsd > 0 && creditsPerUsd <= MAX_CREDITS_PER_USD))
    throw new RangeError(`priceUsage: credits per USD ${creditsPerUsd} is not in (0, ${MAX_CREDITS_PER_USD}]`);
  const uncached = input - cached;
  const lc = price.longContext && input > price.longContext.aboveInputTokens ? price.longContext : undefined;
  const inMul = lc?.inputMultiplier ?? 1;
  const outMul = lc?.outputMultiplier ?? 1;
  const costNanoUsd =
    uncached * perTokenNano(price.input * inMul) +
    cached * perTokenNano(price.cachedInput * inMul) +
    output * perTokenNano(price.output * outMul);
  // Credits per USD in millionths (the config's precision), then nano-credits rounded half up.
  const micro = BigInt(Math.round(creditsPerUsd * 1e6));
  const creditsNano = Number((BigInt(costNanoUsd) * micro * 2n + 1_000_000n) / 2_000_000n);
  return { costNanoUsd, creditsNano, pricedModel, fallback, pricingVersion: PRICING_VERSION };
}

export const nanoToUnits = (n: number) => n / 1e9;

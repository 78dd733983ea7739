// One fact, two sources (decisions/0019): the CODEX_LOG record of whichever source stored a turn,
// response, session start or tool call first, and the completion record the other source appended
// when it matched that fact. Both are kept (the chain is append-only); this folds them into one
// view. Each field takes the first non-null value in an order fixed per field, never by arrival,
// so OTLP-then-file and file-then-OTLP give the same merged record.
import type { RecordDraft } from './compliance.js';
import { codexLogDraft, type IngestRequestMeta } from './compliance-records.js';
import type { EnrichedEvent } from './events.js';

/** The CODEX_LOG kinds that are facts of both sources (not session_item and the like). */
export const FACT_KINDS: ReadonlySet<string> = new Set(['session_start', 'prompt', 'response', 'tool_call']);

/** What a completion record points at: the stored fact's key and the source that stored it. */
export interface CompletesLink {
  fact_key: string;
  source: string;
}

// `${workspace}\0${fact key}` of a session start or tool call -> the source that stored it first
// (null: a tool call stored before migration 0022, whose first source only the claims tell).
export type FirstSources = Map<string, string | null>;

/** A completion: the fact record of `e` plus `completes` (keys kept in canonical order). */
export function completionDraft(e: EnrichedEvent, meta: IngestRequestMeta, link: CompletesLink): RecordDraft {
  const d = codexLogDraft(e, meta);
  const content = Object.fromEntries(
    Object.entries({
      ...(d.content as Record<string, unknown>),
      completes: { fact_key: link.fact_key, source: link.source },
    }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return { ...d, content };
}

type Json = Record<string, unknown>;
export interface FactRecord {
  id: string;
  content: Json;
}
export interface MergedFact {
  /** The key every record of the fact shares: the stored fact's (the completions' `completes.fact_key`). */
  fact: string;
  content: Json;
  record_ids: string[];
}

/** The key a CODEX_LOG fact record belongs to: its own, or the one it completes. */
export function factOf(content: Json): string | null {
  const c = content.completes as { fact_key?: unknown } | undefined;
  if (c && typeof c.fact_key === 'string') return c.fact_key;
  return typeof content.fact_key === 'string' ? content.fact_key : null;
}

const sourceOf = (c: Json) => ((c.request as Json | undefined)?.source as string | undefined) ?? '';
// Usage and price are the stored fact's (what the rollups counted); request identity is OTLP's
// (the exporter knows app version, auth mode, e-mail claim); everything else, content texts and
// ids included, the session file's first (it has the ids and the assistant's text).
const STORED = new Set(['response.usage', 'response.cost_usd', 'response.credits', 'response.pricing_version']);
function precedence(path: string): (c: Json) => number {
  if (STORED.has(path) || path.startsWith('response.usage.')) return (c) => (c.completes ? 1 : 0);
  if (path === 'request' || path.startsWith('request.')) return (c) => (sourceOf(c) === 'otlp' ? 0 : 1);
  return (c) => (sourceOf(c) === 'rollout' ? 0 : 1);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeAt(path: string, values: { rec: Json; v: unknown }[]): unknown {
  const present = values.filter((x) => x.v !== null && x.v !== undefined);
  if (present.length === 0) return values.length ? null : undefined;
  if (present.every((x) => isObject(x.v)) && !STORED.has(path)) {
    const keys = [...new Set(present.flatMap((x) => Object.keys(x.v as Json)))].sort();
    const out: Json = {};
    for (const k of keys)
      out[k] = mergeAt(
        path ? `${path}.${k}` : k,
        present.map((x) => ({ rec: x.rec, v: (x.v as Json)[k] })),
      );
    return out;
  }
  const rank = precedence(path);
  // Stable: among records of equal rank, the earlier in the chain wins (the same in both orders
  // when the sources agree, which is when they tie).
  return [...present].sort((a, b) => rank(a.rec) - rank(b.rec))[0]!.v;
}

/**
 * Merges the records of one fact (in chain order) into one content; `completes` is dropped,
 * `fact_key` is the session file's when it has one (so both orders name the fact alike) and
 * `fact_keys` lists every key the sources used.
 */
export function mergeFact(records: readonly FactRecord[]): MergedFact {
  const contents = records.map((r) => r.content);
  const merged = mergeAt(
    '',
    contents.map((c) => {
      const { completes: _, ...rest } = c;
      return { rec: c, v: rest };
    }),
  ) as Json;
  merged.fact_keys = [...new Set(contents.map((c) => String(c.fact_key)))].sort();
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { fact: factOf(contents[0]!) ?? '', content: sorted, record_ids: records.map((r) => r.id) };
}

/**
 * Folds a list of records (chain order) into merged facts: CODEX_LOG fact records grouped by
 * factOf, each group at the position of its first record; other records pass through alone.
 */
export function foldFacts(records: readonly FactRecord[], isFact: (r: FactRecord) => boolean): MergedFact[] {
  const out: (MergedFact | FactRecord[])[] = [];
  const groups = new Map<string, FactRecord[]>();
  for (const r of records) {
    const f = isFact(r) ? factOf(r.content) : null;
    if (f === null) {
      out.push([r]);
      continue;
    }
    const g = groups.get(`${String(r.content.kind)}\u0000${f}`);
    if (g) g.push(r);
    else {
      const list = [r];
      groups.set(`${String(r.content.kind)}\u0000${f}`, list);
      out.push(list);
    }
  }
  return out.map((g) =>
    Array.isArray(g) && g.length === 1 && !isFact(g[0]!)
      ? { fact: '', content: g[0]!.content, record_ids: [g[0]!.id] }
      : mergeFact(g as FactRecord[]),
  );
}

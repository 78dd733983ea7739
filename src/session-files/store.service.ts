// Storing what the rollout parser produced, shared by `steward import` (local store) and the upload
// receiver (server): events go through the one ingest use-case (pipeline, reconciliation, rollups,
// compliance records); content records become CODEX_LOG `session_item` records in the same
// transaction (decisions/0023), with the workspace's content policy applied to the texts, as for events.
import type { ContentField, ContentPolicy } from '../core/content-policy.js';
import { addCounts, emptyCounts, type StoredCounts } from './adapter/counts.js';
import { ContentApplier } from '../core/content-policy.js';
import { dlpValue } from '../core/value-dlp.js';
import type { RolloutContent, RolloutEvent } from './adapter/parser.js';
import type { Principal } from '../ingest/index.js';
import { sessionItem, type ItemTextInfo, type SessionItem } from '../core/session-items.js';
import { ingestEvents, type IngestDeps } from '../ingest/index.js';

/**
 * Gives content records their stable row key within a file: `${ordinal | @offset}#${kind}`, and
 * `#n` for a second record of the same kind from the same line. One per file read.
 */
export class ContentKeyer {
  private seen = new Map<string, number>();
  key(c: RolloutContent): string {
    const base = `${c.ordinal !== undefined ? c.ordinal : `@${c.offset}`}#${c.kind}`;
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  }
}

const BASE_FIELDS = new Set([
  'threadId',
  'attributedThreadId',
  'turnId',
  'ts',
  'line',
  'offset',
  'ordinal',
  'discriminator',
  'kind',
]);

// The texts of a content record that the content policy governs, by policy field.
const POLICY_FIELDS: Record<string, [string, ContentField][]> = {
  user_message: [['text', 'prompt']],
  assistant_message: [['text', 'response']],
  turn_complete: [['lastAgentMessage', 'response']],
  tool_call: [
    ['arguments', 'tool_arguments'],
    ['output', 'tool_output'],
    ['aggregatedOutput', 'tool_output'],
  ],
};

function applyPolicy(
  body: Record<string, unknown>,
  kind: string,
  applier: ContentApplier,
  info: Record<string, ItemTextInfo>,
): void {
  const policy = applier.policy;
  // A line of a type Steward does not know: no policy field names its texts, DLP scans them all.
  if (kind === 'other' && body.unknown === true && body.raw !== undefined) {
    const r = dlpValue(body.raw, policy, 'event_attributes');
    body.raw = r.value;
    info.raw = { length: r.length, policy: 'store', redactions: r.findings.length };
    return;
  }
  const fields = POLICY_FIELDS[kind];
  if (!fields) return;
  for (const [name, field] of fields) {
    const v = body[name];
    if (typeof v !== 'string' || v === '') continue;
    const applied = applier.apply(v, field);
    body[name] = applied.text;
    info[name] = { length: applied.length, policy: applied.mode, redactions: applied.findings.length };
  }
  // The raw task_complete payload repeats the last agent message.
  if (kind === 'turn_complete' && body.raw && typeof body.raw === 'object') {
    const raw = { ...(body.raw as Record<string, unknown>) };
    if (typeof raw.last_agent_message === 'string') raw.last_agent_message = body.lastAgentMessage ?? null;
    body.raw = raw;
  }
}

/** A content record as a session item; `bytes` (its body's JSON length) bounds import batches. */
export function contentItem(
  c: RolloutContent,
  lineKey: string,
  ws: string,
  userId: string,
  origin: string,
  policy?: ContentPolicy | ContentApplier,
): SessionItem & { bytes: number } {
  const body: Record<string, unknown> = {};
  const textInfo: Record<string, ItemTextInfo> = {};
  for (const [k, v] of Object.entries(c)) if (!BASE_FIELDS.has(k) && v !== undefined) body[k] = v;
  if (policy)
    applyPolicy(body, c.kind, policy instanceof ContentApplier ? policy : new ContentApplier(policy), textInfo);
  // A command's aggregated output is usually the tail of the tool output the model saw: keep it
  // once, with where it starts in `output` (lossless: output.slice(at, at + length)).
  if (
    c.kind === 'tool_call' &&
    typeof body.aggregatedOutput === 'string' &&
    typeof body.output === 'string' &&
    body.aggregatedOutput.length > 64
  ) {
    const at = body.output.lastIndexOf(body.aggregatedOutput);
    if (at >= 0) {
      body.aggregatedOutputInOutput = { at, length: body.aggregatedOutput.length };
      delete body.aggregatedOutput;
    }
  }
  const item = sessionItem({
    workspaceId: ws,
    threadId: c.threadId || c.attributedThreadId || 'unknown',
    attributedThreadId: c.attributedThreadId || c.threadId || 'unknown',
    lineKey,
    userId,
    turnId: c.turnId ?? null,
    ts: Number.isFinite(c.ts) ? c.ts : 0,
    kind: c.kind,
    lineNo: c.line,
    byteOffset: c.offset,
    ordinal: c.ordinal ?? null,
    origin,
    // Keys in canonical order, so that the chain's canonicalJson writes the record with
    // JSON.stringify instead of its own walk (what is nested inside, a line's raw payload, keeps the
    // file's order and takes the walk only there).
    body: sortedKeys(body),
    textInfo: sortedKeys(textInfo),
  });
  return { ...item, bytes: bodyBytes(body) };
}

function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

// The texts dominate a body's size: their lengths stand for its JSON without writing it out.
function bodyBytes(body: Record<string, unknown>): number {
  let n = 2;
  for (const v of Object.values(body)) n += typeof v === 'string' ? v.length + 16 : 64;
  return n;
}

export interface StoreBatchOptions {
  hostName?: string;
  creditsPerUsd: number;
  requestMeta?: Record<string, string | undefined>;
  // The applier the batch's items were built with: the events' equal texts are not scanned again.
  contentApplier?: ContentApplier;
}

/** Stores one batch: events, their rollups and records, and the content as session items, in one transaction. */
export async function storeRolloutBatch(
  deps: IngestDeps,
  principal: Principal,
  events: RolloutEvent[],
  items: SessionItem[],
  opts: StoreBatchOptions,
): Promise<StoredCounts & { rejected: number }> {
  const out = { ...emptyCounts(), rejected: 0 };
  if (!events.length && !items.length) return out;
  const r = await ingestEvents(
    deps,
    principal,
    events.map((event, index) => ({ index, event })),
    {
      source: 'rollout',
      hostName: opts.hostName,
      creditsPerUsd: opts.creditsPerUsd,
      requestMeta: opts.requestMeta,
      items,
      contentApplier: opts.contentApplier,
    },
  );
  addCounts(out, r.stored);
  out.content = r.items;
  out.rejected = r.rejected.length;
  return out;
}

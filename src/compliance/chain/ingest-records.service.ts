// The compliance side of ingest, run inside the ingest transaction: a CODEX_LOG record for every
// newly stored fact, a CODEX_SECURITY_LOG record for each of its DLP findings, and one for each
// session that ran in a sandbox or approval mode the workspace does not allow (once per session
// and mode). Replays store nothing new, so they append nothing. An event that matched a fact another
// source stored first appends one completion record instead (decisions/0019).
import {
  codexLogDraft,
  dlpFindingDrafts,
  policyFindingDraft,
  type IngestRequestMeta,
} from '../../core/compliance-records.js';
import type { RecordDraft } from '../../core/compliance.js';
import { completionDraft, type CompletesLink, type FirstSources } from '../../core/compliance-merge.js';
import { policyViolations, type ContentPolicy } from '../../core/content-policy.js';
import type { EnrichedEvent } from '../../core/events.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { claimOnce, claimedKeys } from './once.repository.js';

const SOURCES = ['otlp', 'rollout', 'api'] as const;
const touched = (key: string, source: string) => `src:${source}:${key}`;

// The records of one batch, not yet appended (the ingest writer appends a group's batches of one
// workspace together, in batch order). Claims the once-per-session policy findings.
export async function ingestDrafts(
  trx: DbOrTrx,
  workspaceId: string,
  fresh: readonly EnrichedEvent[],
  all: readonly EnrichedEvent[],
  policy: ContentPolicy,
  meta: IngestRequestMeta,
  completes: ReadonlyMap<EnrichedEvent, CompletesLink> = new Map(),
  firstSources: FirstSources = new Map(),
): Promise<RecordDraft[]> {
  const drafts: RecordDraft[] = [];
  const shared = await sharedCompletions(trx, workspaceId, all, firstSources);
  for (const e of fresh) {
    if (shared.has(e.event.key)) continue; // this source completes what another stored
    drafts.push(codexLogDraft(e, meta));
    if (e.findings?.length) drafts.push(...dlpFindingDrafts(e, e.findings));
  }
  const completing = [
    ...all.filter((e) => completes.has(e)).map((e) => [e, completes.get(e)!] as const),
    ...shared.values(),
  ];
  for (const [e, link] of completing) {
    drafts.push(completionDraft(e, meta, link));
    if (e.findings?.length) drafts.push(...dlpFindingDrafts(e, e.findings));
  }
  const candidates: { key: string; draft: RecordDraft }[] = [];
  for (const e of all) {
    if (e.event.kind !== 'thread_started') continue;
    for (const v of policyViolations(policy, e.event))
      candidates.push({ key: `policy:${e.event.threadId}:${v.rule}:${v.value}`, draft: policyFindingDraft(e, v) });
  }
  if (candidates.length) {
    const claimed = await claimOnce(
      trx,
      workspaceId,
      candidates.map((c) => c.key),
    );
    for (const c of candidates) if (claimed.delete(c.key)) drafts.push(c.draft);
  }
  return drafts;
}

// Session starts and tool calls have one key in both sources (thread:T, tool:T:call), so nothing is
// left out to match: the fact row says which source stored it first (`firstSources`, read by the
// insert). Another source's first arrival gets a completion, claimed once per key and source so
// its replays append nothing; the first source claims nothing, so steady ingest costs no round trip.
// Tool calls stored before migration 0022 have no source: for them, as before it, every source's
// first touch is claimed and the earlier claim of another source decides.
async function sharedCompletions(
  trx: DbOrTrx,
  workspaceId: string,
  all: readonly EnrichedEvent[],
  firstSources: FirstSources,
): Promise<Map<string, readonly [EnrichedEvent, CompletesLink]>> {
  const byKey = new Map<string, EnrichedEvent>();
  for (const e of all) {
    if (e.event.kind !== 'thread_started' && e.event.kind !== 'tool') continue;
    const prev = byKey.get(e.event.key);
    byKey.set(e.event.key, prev ? mergeEvents(prev, e) : e);
  }
  const out = new Map<string, readonly [EnrichedEvent, CompletesLink]>();
  const completing: [string, EnrichedEvent, string][] = [];
  const legacy: EnrichedEvent[] = [];
  for (const [key, e] of byKey) {
    const first = firstSources.get(`${workspaceId}\u0000${key}`);
    if (first == null) legacy.push(e);
    else if (first !== e.source) completing.push([key, e, first]);
  }
  if (completing.length) {
    const mine = await claimOnce(
      trx,
      workspaceId,
      completing.map(([key, e]) => touched(key, e.source)),
    );
    for (const [key, e, first] of completing)
      if (mine.has(touched(key, e.source))) out.set(key, [e, { fact_key: key, source: first }]);
  }
  if (legacy.length) for (const [key, v] of await legacyCompletions(trx, workspaceId, legacy)) out.set(key, v);
  return out;
}

async function legacyCompletions(
  trx: DbOrTrx,
  workspaceId: string,
  events: readonly EnrichedEvent[],
): Promise<Map<string, readonly [EnrichedEvent, CompletesLink]>> {
  const out = new Map<string, readonly [EnrichedEvent, CompletesLink]>();
  const others = await claimedKeys(
    trx,
    workspaceId,
    events.flatMap((e) => SOURCES.filter((s) => s !== e.source).map((s) => touched(e.event.key, s))),
  );
  const mine = await claimOnce(
    trx,
    workspaceId,
    events.map((e) => touched(e.event.key, e.source)),
  );
  for (const e of events) {
    const key = e.event.key;
    if (!mine.has(touched(key, e.source))) continue;
    const first = SOURCES.find((s) => s !== e.source && others.has(touched(key, s)));
    if (first) out.set(key, [e, { fact_key: key, source: first }]);
  }
  return out;
}

// A tool call's decision and result of one request, as one event (fields of the first win).
function mergeEvents(a: EnrichedEvent, b: EnrichedEvent): EnrichedEvent {
  const event = { ...b.event, ...Object.fromEntries(Object.entries(a.event).filter(([, v]) => v !== undefined)) };
  const findings = [...(a.findings ?? []), ...(b.findings ?? [])];
  return {
    ...a,
    event,
    content: { ...b.content, ...a.content },
    findings: findings.length ? findings : undefined,
  } as EnrichedEvent;
}

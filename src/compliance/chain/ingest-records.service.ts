// The compliance side of ingest, run inside the ingest transaction: a CODEX_LOG record for every
// newly stored fact, a CODEX_SECURITY_LOG record for each of its DLP findings, and one for each
// session that ran in a sandbox or approval mode the workspace does not allow (once per session
// and mode). Replays store nothing new, so they append nothing.
import {
  codexLogDraft,
  dlpFindingDrafts,
  policyFindingDraft,
  type IngestRequestMeta,
} from '../../core/compliance-records.js';
import type { RecordDraft } from '../../core/compliance.js';
import { policyViolations, type ContentPolicy } from '../../core/content-policy.js';
import type { EnrichedEvent } from '../../core/events.js';
import type { DbOrTrx } from '../../platform/storage/database.js';
import { claimOnce } from './once.repository.js';

// The records of one batch, not yet appended (the ingest writer appends a group's batches of one
// workspace together, in batch order). Claims the once-per-session policy findings.
export async function ingestDrafts(
  trx: DbOrTrx,
  workspaceId: string,
  fresh: readonly EnrichedEvent[],
  all: readonly EnrichedEvent[],
  policy: ContentPolicy,
  meta: IngestRequestMeta,
): Promise<RecordDraft[]> {
  const drafts: RecordDraft[] = [];
  for (const e of fresh) {
    drafts.push(codexLogDraft(e, meta));
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

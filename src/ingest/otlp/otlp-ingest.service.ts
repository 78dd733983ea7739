import { isDrop, tallyDrops, type DropReason, type DropTally, type NormalizedEvent } from '../../core/events.js';
import type { Principal } from '../pipeline/steps.js';
import type { DecodedLogs } from './decode.js';
import { attrString } from './attributes.js';
import { normalizeRecord } from './normalize.js';
import type { IngestDeps } from '../ingest.runtime.js';
import { ingestEvents } from '../ingest.service.js';
import type { IngestCounts } from '../../core/ingest-counts.js';

export interface OtlpLogsResult {
  records: number;
  rejected: number;
  rejectedByReason: DropTally;
  errorMessage: string;
  stored: IngestCounts;
}

// The receiver decodes the body with its format's codec (otlp-formats.ts); this is format-free.
export async function ingestOtlpLogs(
  deps: IngestDeps,
  principal: Principal,
  decoded: DecodedLogs,
  creditsPerUsd: number,
): Promise<OtlpLogsResult> {
  const inputs: { index: number; event: NormalizedEvent }[] = [];
  const problems: string[] = decoded.invalid.map((p) => `record ${p.index}: ${p.reason}`);
  const rejectedByReason: DropTally = {};
  if (decoded.invalid.length) tallyDrops(rejectedByReason, 'invalid_record', decoded.invalid.length);
  let hostName: string | undefined;
  const meta: {
    appVersion?: string;
    serviceName?: string;
    serviceVersion?: string;
    terminalType?: string;
    authMode?: string;
  } = {};
  for (const r of decoded.records) {
    hostName ??= attrString(r.resource, 'host.name');
    meta.serviceName ??= attrString(r.resource, 'service.name');
    meta.serviceVersion ??= attrString(r.resource, 'service.version');
    meta.appVersion ??= attrString(r.attrs, 'app.version');
    meta.terminalType ??= attrString(r.attrs, 'terminal.type');
    meta.authMode ??= attrString(r.attrs, 'auth_mode');
    const n = normalizeRecord(r);
    if (n === null) continue;
    if (isDrop(n)) {
      tallyDrops(rejectedByReason, n.reason);
      problems.push(`record ${r.index}: ${n.reason}${n.detail ? ` (${n.detail})` : ''}`);
    } else inputs.push({ index: r.index, event: n });
  }
  const outcome = await ingestEvents(deps, principal, withAgentResponses(inputs), {
    source: 'otlp',
    hostName,
    creditsPerUsd,
    requestMeta: meta,
  });
  for (const [reason, n] of Object.entries(outcome.rejectedByReason))
    tallyDrops(rejectedByReason, reason as DropReason, n);
  for (const d of outcome.rejected) {
    problems.push(`record ${d.index}: ${d.reason}${d.detail ? ` (${d.detail})` : ''}`);
  }
  return {
    records: decoded.records.length + decoded.invalid.length + decoded.noise,
    rejected: problems.length,
    rejectedByReason,
    stored: outcome.stored,
    errorMessage: problems.length
      ? `${problems.length} log record(s) rejected: ${problems.slice(0, 10).join('; ')}` +
        (problems.length > 10 ? '; …' : '')
      : '',
  };
}

// codex.agent_response is the text of the turn's final answer (`[otel] log_agent_responses`), logged
// right after the response.completed of the response that wrote it, in the same export. That
// response (the latest of the thread before it in this batch) takes its text and turn id: the text
// is then the response's CODEX_LOG content, the field a session file's text fills, so the merged
// view of decisions/0019 shows one text whichever source came first. An agent_response with no such
// response in its batch is kept as it came (a CODEX_LOG "event" record).
export function withAgentResponses(
  inputs: { index: number; event: NormalizedEvent }[],
): { index: number; event: NormalizedEvent }[] {
  const out: { index: number; event: NormalizedEvent }[] = [];
  const lastResponse = new Map<string, number>(); // thread -> position in out
  for (const input of inputs) {
    const ev = input.event;
    if (ev.kind === 'response') lastResponse.set(ev.threadId, out.length);
    if (ev.kind === 'observation' && ev.name === 'codex.agent_response') {
      const at = lastResponse.get(ev.threadId);
      const target = at === undefined ? undefined : out[at]!.event;
      const text = ev.attributes.response;
      if (target?.kind === 'response' && target.text === undefined && typeof text === 'string') {
        out[at!] = { ...out[at!]!, event: { ...target, text, turnId: target.turnId ?? ev.turnId } };
        continue;
      }
    }
    out.push(input);
  }
  return out;
}
